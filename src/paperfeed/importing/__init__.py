"""Files from elsewhere into records: old digests, the reader's bibliographies."""
