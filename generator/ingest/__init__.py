"""Importing raw exports (12345, 311, …) into the anonymized data package.

readers (CSV/XLSX, encodings) → profile (YAML mapping; profile_model, profile_checks) → scope
(out-of-scope rows) → mapping (values, dates, zones) → placement (district/street) →
pseudonyms (generator.privacy.pseudonym) → rules (cross-field) → output (atomic files,
rejects, unplaced, out of scope, summary). Entry point: importer.import_export.
"""
