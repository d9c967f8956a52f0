"""Configuration as data with a schema: the seed CSVs of the data contract and the global settings
(`--vars`), validated before anything is written, then handed to the run as one object."""

from .validate import ConfigError, EffectiveConfig, Problem, load_config, validate_vars

__all__ = ["ConfigError", "EffectiveConfig", "Problem", "load_config", "validate_vars"]
