"""The rights registry service: file formats, validation, import/export, alias learning."""
