"""Privacy: the personal-data scanner (scan.py, detectors.py, normalize.py) and, from other
modules, pseudonyms and disclosure control."""
