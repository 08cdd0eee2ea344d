"""The one ``bordermark`` command line: each concept adds a thin sub-command group here."""
