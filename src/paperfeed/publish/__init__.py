"""Everything a digest becomes: the view model, the formats, e-mail, chat payloads, feeds,
the static site."""
