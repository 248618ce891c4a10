import pytest

from qixiang.science.qc import config


def test_packaged_defaults_give_element_overrides_over_check_defaults():
    defaults = config.default()
    assert defaults.params("TEM", "buddy")["elev_gradient"] == -0.0065
    assert defaults.params("PRS", "buddy")["elev_gradient"] == -0.115
    assert defaults.params("TEM", "range")["severity"] == 2
    assert defaults.params("TEM", "buddy")["severity"] == 1


def test_a_site_file_overrides_key_by_key_and_resolves_table_paths(tmp_path):
    site = tmp_path / "site.toml"
    site.write_text('[buddy.TEM]\nthreshold = 4.5\n[climatology]\ntable = "limits.csv"\n'
                    '[elements]\nRHU = ["range"]\n')
    loaded = config.load(site)
    assert loaded.params("TEM", "buddy")["threshold"] == 4.5
    assert loaded.params("TEM", "buddy")["radius"] == 30000.0  # untouched default
    assert loaded.params("TEM", "climatology")["table"] == str(tmp_path / "limits.csv")
    assert loaded.checks("RHU") == ["range"]
    assert loaded.checks("VIS") == config.default().checks("VIS")


def test_unknown_check_names_in_a_site_file_are_refused_naming_the_file(tmp_path):
    site = tmp_path / "site.toml"
    site.write_text('[elements]\nTEM = ["range", "bogus"]\n')
    with pytest.raises(config.ConfigError, match=r"site\.toml.*TEM.*'bogus'"):
        config.load(site)


def test_invalid_toml_is_refused_naming_the_file(tmp_path):
    site = tmp_path / "broken.toml"
    site.write_text("[buddy\n")
    with pytest.raises(config.ConfigError, match=r"broken\.toml: invalid TOML"):
        config.load(site)
