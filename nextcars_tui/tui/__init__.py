"""The Textual desk: the only package that imports textual."""
