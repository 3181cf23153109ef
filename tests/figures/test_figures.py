"""Figures 1 and 2: drawn from the knowledge base, in both languages, as SVG and PNG."""

from __future__ import annotations

import os
import shutil
import struct
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from mtorlab.cli import main
from mtorlab.errors import DataFileError, MtorlabError
from mtorlab.figures import (
    diverging,
    figure_dot,
    figure_edges,
    format_for,
    load_figures,
    node_fills,
)
from mtorlab.kb import KnowledgeBase, load

needs_dot = pytest.mark.skipif(
    shutil.which("dot") is None and not os.environ.get("CI"),
    reason="Graphviz 'dot' is not installed (make system-deps)",
)
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load()


def _svg_texts(path: Path) -> str:
    root = ET.parse(path).getroot()
    return " ".join(t.text or "" for t in root.iter(f"{SVG}text"))


def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", head[16:24])


def test_selection_resolves_and_edges_come_from_the_kb(kb: KnowledgeBase) -> None:
    data = load_figures(kb)
    fig1 = data.figure("fig1")
    ents = set(fig1.entities())
    assert {
        "amino_acids",
        "rag_gtpases",
        "ampk",
        "pi3k",
        "akt",
        "mapk",
        "atm",
        "atr",
        "tnf",
        "ikbkb",
        "tsc_complex",
        "rheb",
        "mtorc1",
        "mtorc2",
        "autophagy",
        "bdnf",
    } <= ents
    edges = figure_edges(kb, ents, set(fig1.exclude))
    ids = {m.id for ms in edges for m in ms}
    assert {"m_tsc_gap_rheb", "m_rheb_mtorc1", "m_mtorc2_akt_s473", "m_ikbkb_tsc1"} <= ids
    assert ids.isdisjoint(fig1.exclude)
    assert all(kb.mechanisms[i].subject in ents and kb.mechanisms[i].object in ents for i in ids)
    fig2 = data.figure("fig2").entities()
    assert {"sirolimus", "peg_liposomal_rapamycin", "autophagy", "immunosuppression"} <= set(fig2)


def test_dot_encodes_sign_as_arrowhead(kb: KnowledgeBase) -> None:
    dot = figure_dot(kb, load_figures(kb), "fig1")
    tsc_rheb = next(line for line in dot.splitlines() if '"tsc_complex" -> "rheb"' in line)
    assert 'arrowhead="tee"' in tsc_rheb
    rheb = next(line for line in dot.splitlines() if '"rheb" -> "mtorc1"' in line)
    assert 'arrowhead="normal"' in rheb


def test_values_colour_nodes(kb: KnowledgeBase) -> None:
    fills = node_fills({"mtorc1": 2.0, "autophagy": -1.0, "bdnf": 0.0})
    assert fills == {"mtorc1": diverging(1.0), "autophagy": diverging(-0.5), "bdnf": "#f7f7f7"}
    dot = figure_dot(kb, load_figures(kb), "fig1", values={"mtorc1": 1.0})
    line = next(x for x in dot.splitlines() if x.strip().startswith('"mtorc1" ['))
    assert f'fillcolor="{diverging(1.0)}"' in line


def test_unknown_figure_and_format(kb: KnowledgeBase) -> None:
    with pytest.raises(MtorlabError, match="unknown figure 'fig3'"):
        figure_dot(kb, load_figures(kb), "fig3")
    with pytest.raises(MtorlabError, match="cannot tell the figure format"):
        format_for("fig1.jpg")


def test_bad_selection_names_the_entity(kb: KnowledgeBase, tmp_path: Path) -> None:
    bad = tmp_path / "figures.yaml"
    bad.write_text(
        "figures:\n  f:\n    title_en: t\n    title_zh: t\n"
        "    groups: [{id: g, label_en: g, label_zh: g, entities: [mtorc1, mtorcc]}]\n",
        encoding="utf-8",
    )
    with pytest.raises(DataFileError, match="unknown entity 'mtorcc'"):
        load_figures(kb, bad)


@needs_dot
@pytest.mark.parametrize("name", ["fig1", "fig2"])
def test_svg_has_labels_in_both_languages(name: str, tmp_path: Path) -> None:
    en, zh = tmp_path / f"{name}_en.svg", tmp_path / f"{name}_zh.svg"
    assert main(["figure", name, "-o", str(en)]) == 0
    assert main(["figure", name, "-o", str(zh), "--lang", "zh"]) == 0
    text_en, text_zh = _svg_texts(en), _svg_texts(zh)
    assert "mTORC1" in text_en and "mTORC2" in text_en and "autophagy" in text_en
    assert "自噬" in text_zh and "mTORC1" in text_zh and "自噬" not in text_en
    if name == "fig1":
        assert "Rag GTPases" in text_en and "TSC1" in text_en and "amino acids" in text_en
        assert "氨基酸" in text_zh and "氧化应激" in text_zh and "蛋白质合成" in text_zh
    else:
        assert "rapamycin" in text_en and "immunosuppression" in text_en
        assert "雷帕霉素" in text_zh and "免疫抑制" in text_zh
    # Node ids are the entity ids, so the drawing links back to the knowledge base.
    ids = {g.get("id") for g in ET.parse(en).getroot().iter(f"{SVG}g")}
    assert "mtorc1" in ids


@needs_dot
def test_png_is_a_plausible_image(tmp_path: Path) -> None:
    out = tmp_path / "fig1.png"
    assert main(["figure", "fig1", "-o", str(out), "--lang", "zh"]) == 0
    w, h = _png_size(out)
    assert 1500 < w < 8000 and 1500 < h < 8000
    assert out.stat().st_size > 50_000


def test_cli_rejects_a_bad_language(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["figure", "fig1", "-o", str(tmp_path / "f.svg"), "--lang", "fr"]) == 2
    assert "--lang must be one of en, zh" in capsys.readouterr().err
    assert not (tmp_path / "f.svg").exists()


def test_scenario_figure_colours_what_ketamine_moves(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from mtorlab.cli import main

    examples = Path(__file__).resolve().parents[2] / "examples"
    out = tmp_path / "ket.svg"
    code = main(
        [
            "figure",
            "scenario",
            str(examples / "ketamine_single_dose_rat.yaml"),
            "--at",
            "2.5h",  # 30 min after the dose: the signalling transient's peak (Li et al. 2010)
            "-o",
            str(out),
        ]
    )
    printed = capsys.readouterr().out
    assert code == 0 and "glutamate_burst +" in printed  # the largest change, named first
    svg = out.read_text(encoding="utf-8")
    ET.fromstring(svg)

    def fill(node: str) -> tuple[int, int, int]:
        colour = svg.split(f'id="{node}"', 1)[1].split('fill="', 1)[1][1:7]
        return int(colour[:2], 16), int(colour[2:4], 16), int(colour[4:], 16)

    red, _, blue = fill("mtorc1")
    assert red > blue  # raised: red end of the diverging map
    red, _, blue = fill("tsc2")
    assert blue > red  # lowered: blue end
    code = main(
        ["figure", "scenario", str(examples / "cums_mouse.yaml"), "-o", str(tmp_path / "x.svg")]
    )
    assert code == 2 and "no interventions" in capsys.readouterr().err
