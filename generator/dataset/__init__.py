"""The complaints data package: its contract (datapackage.json), reading and validation."""
