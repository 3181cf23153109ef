"""``mtorlab demo``: the flagship walk through the review (grows with each capability)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add ``mtorlab demo`` to ``app``."""

    @app.command("demo")
    def demo() -> None:
        """Walk through the review: knowledge base, the ketamine chain, the tensions."""
        from mtorlab.cli import main

        steps = [
            ("The knowledge base of the review", ["kb"]),
            (
                "Why ketamine raises synaptic protein synthesis (the evidence chain)",
                ["kb", "path", "ketamine", "synaptic_protein_synthesis", "--lang", "both"],
            ),
            ("The review's tensions and how the model's contexts resolve them", ["kb", "tensions"]),
        ]
        for title, argv in steps:
            print(f"\n=== {title}\n$ mtorlab {' '.join(argv)}")
            code = main(argv)
            if code:
                raise typer.Exit(code)
