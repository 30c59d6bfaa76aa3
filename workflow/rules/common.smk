# Paths and year lists derived from the config (logic in tradeimbalance.config).
from tradeimbalance import config as cfg

cfg.check_config(config)

RAW = str(cfg.raw_dir(config))
PROC = config["processed_dir"]
RES = config["results_dir"]
LOGS = config["logs_dir"]
RELEASE = config["io_release"]
VALUE_ADDED = config["value_added"]
IO_YEARS = cfg.io_years(config)
KOF_VINTAGES = list(config["kof"]["vintages"])
DOWNLOADS = cfg.downloads(config)


wildcard_constraints:
    year=r"\d{4}",
    release="wiod2016|wiod2013",

# The estimation sample's design (all of it but the KOF vintage): passed whole to the panel-building steps.
DESIGN = {
    "countries": config["countries"],
    "first_year": config["first_year"],
    "last_year": config["last_year"],
    "outcomes": config["kof"]["required_columns"],
    "controls": config["controls"],
    "excluded_countries": config["sample"]["excluded_countries"],
    "developed": config["sample"]["developed"],
}
