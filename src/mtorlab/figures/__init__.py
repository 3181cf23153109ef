"""The review's Figures 1 and 2 drawn from the knowledge base (Graphviz layout).

``figure_dot`` builds the DOT source of a figure from the selections in
``data/figures.yaml``; ``render`` runs Graphviz for SVG, PNG or PDF. Passing ``values``
(entity id → change) colours the nodes, which is how a scenario's effect is drawn.
"""

from mtorlab.figures._colour import Colormap, diverging, node_fills
from mtorlab.figures._dot import figure_dot, figure_edges
from mtorlab.figures._render import FORMATS, format_for, render
from mtorlab.figures._spec import LANGS, FigureData, FigureSpec, Group, Lang, load_figures

__all__ = [
    "FORMATS",
    "LANGS",
    "Colormap",
    "FigureData",
    "FigureSpec",
    "Group",
    "Lang",
    "diverging",
    "figure_dot",
    "figure_edges",
    "format_for",
    "load_figures",
    "node_fills",
    "render",
]
