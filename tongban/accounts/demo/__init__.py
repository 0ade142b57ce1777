"""Demo data of the accounts app, two steps of the demo loader (``tongban.site.demo``):
the Tianshui organisation (``organisation``) and an account for every role (``people``).
See ``docs/demo.md``."""
