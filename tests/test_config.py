"""Config loading: defaults, file lookup, relative paths, errors naming the key."""

from pathlib import Path

import pytest

from riskboard.config import load_config
from riskboard.errors import RiskboardError


def test_defaults_when_no_file(tmp_path: Path) -> None:
    cfg = load_config(cwd=tmp_path)
    assert cfg.paths.database == tmp_path / "riskboard.db"
    assert cfg.escalation.directorate == 9
    assert cfg.escalation.corporate == 16
    assert cfg.scoring.rag(4) == "green"
    assert cfg.scoring.rag(12) == "amber"
    assert cfg.scoring.rag(16) == "red"


def test_paths_relative_to_the_config_file(tmp_path: Path) -> None:
    folder = tmp_path / "board"
    folder.mkdir()
    (folder / "settings.toml").write_text('[paths]\ndatabase = "data/rb.db"\n')
    cfg = load_config(folder / "settings.toml", cwd=tmp_path)
    assert cfg.paths.database == folder / "data" / "rb.db"


def test_env_var_picks_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "x.toml").write_text("[escalation]\ndirectorate = 10\n")
    monkeypatch.setenv("RISKBOARD_CONFIG", str(tmp_path / "x.toml"))
    assert load_config(cwd=tmp_path).escalation.directorate == 10


def test_unknown_key_is_named(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text("[escalation]\ndirectorat = 10\n")
    with pytest.raises(RiskboardError, match=r"escalation\.directorat: unknown key"):
        load_config(cwd=tmp_path)


def test_bad_value_is_named(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text("[escalation]\ncorporate = 40\n")
    with pytest.raises(RiskboardError, match=r"escalation\.corporate"):
        load_config(cwd=tmp_path)


def test_bands_must_cover_every_score(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text(
        '[[scoring.bands]]\nname="low"\nmin=1\nmax=9\ncolour="00FF00"\n'
    )
    with pytest.raises(RiskboardError, match="score 10 falls in 0 bands"):
        load_config(cwd=tmp_path)


def test_four_band_preset(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text('[scoring]\npreset = "four-band"\n')
    cfg = load_config(cwd=tmp_path)
    assert [cfg.scoring.rag(s) for s in (4, 9, 15, 16)] == ["low", "medium", "high", "extreme"]


def test_missing_explicit_file(tmp_path: Path) -> None:
    with pytest.raises(RiskboardError, match="config file not found"):
        load_config(tmp_path / "nope.toml", cwd=tmp_path)


def test_shipped_config_toml_is_the_documented_default() -> None:
    shipped = Path(__file__).resolve().parent.parent / "config.toml"
    cfg = load_config(shipped)
    defaults = load_config(cwd=shipped.parent.parent / "no-such-folder")
    assert cfg.model_dump(exclude={"paths"}) == defaults.model_dump(exclude={"paths"})
    assert cfg.paths.database == shipped.parent / "riskboard.db"
