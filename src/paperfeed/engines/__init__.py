"""Heavy engines behind protocols: translation models and embedding models."""
