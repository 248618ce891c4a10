"""Importing the registries (subjects, key units, sites, agencies, inspectors, instruments).

:func:`~qixiang.supervision.imports.service.import_file` reads a CSV or Excel file row by row;
each row is created or updated in its own savepoint, or rejected with its line, field and
reason, and rows whose identifier failed its check are accepted into review. Columns are listed
per kind in :mod:`qixiang.supervision.imports.kinds` (English names or the Chinese headers of
the usual registration forms).
"""
