"""``rft plan`` argument and input errors: exit 2 for usage, 3 when no plan can be made."""

from __future__ import annotations

import pytest

from rft_runtime.cli.main import main


@pytest.mark.parametrize(
    "argv",
    [
        ["plan"],
        ["plan", "--base-assembly", "a"],
        ["plan", "--base-assembly", "a", "--head-assembly", "b", "--base", "main"],
    ],
)
def test_usage_errors_exit_2(argv, capsys):
    assert main(argv) == 2
    assert "rft plan:" in capsys.readouterr().err


def test_unknown_gate_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as raised:
        main(["plan", "--base", "main", "--fail-on", "everything"])
    assert raised.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_folder_without_assembly_exits_3_naming_the_file(tmp_path, capsys):
    (tmp_path / "base").mkdir()
    (tmp_path / "head").mkdir()
    code = main(
        ["plan", "--base-assembly", str(tmp_path / "base"), "--head-assembly", str(tmp_path / "head")]
    )
    assert code == 3
    err = capsys.readouterr().err
    assert str(tmp_path / "base" / "manifest.json") in err and "cloud assembly" in err


def test_broken_manifest_exits_3(tmp_path, capsys):
    for side in ("base", "head"):
        (tmp_path / side).mkdir()
        (tmp_path / side / "manifest.json").write_text("{not json")
    code = main(
        ["plan", "--base-assembly", str(tmp_path / "base"), "--head-assembly", str(tmp_path / "head")]
    )
    assert code == 3
    assert "not valid JSON" in capsys.readouterr().err


def test_unknown_ref_exits_3(repo_root, capsys, monkeypatch):
    monkeypatch.chdir(repo_root)
    assert main(["plan", "--base", "no-such-ref-anywhere"]) == 3
    assert "no-such-ref-anywhere" in capsys.readouterr().err
