"""ecoportal: the generator of the 生态环境接诉即办公开门户 static site."""

__version__ = "0.1.0"
