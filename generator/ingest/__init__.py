"""Importing raw 12345 exports into the anonymized data package.

readers (CSV/XLSX, encodings) → profile (YAML mapping) → mapping (values, dates, zones) →
placement (district/street) → pseudonyms (generator.privacy.pseudonym) → rules (cross-field)
→ output (atomic files, rejects, unplaced, summary). Entry point: importer.import_export.
"""
