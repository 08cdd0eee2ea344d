"""Enforcement cases: procedure profiles (YAML data), working-day calendars, guarantees, penalties, disposal,
the state machine and scheduler, the identical-goods sweep and the case dossier.

Pure core: :mod:`calendars`, :mod:`profiles`, :mod:`money`, :mod:`engine`, :mod:`sweep`, :mod:`dossier`.
Service (store + audit log): :mod:`bordermark.cases.service`.
"""
