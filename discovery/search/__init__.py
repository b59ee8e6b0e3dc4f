"""The basis search: propose terms from the data, fit libraries, select laws.

``proposals`` and ``unary_proposals`` suggest terms from log-space fits;
``transforms`` gives the targets besides y (1/y, log y, ...); ``library_fit``
fits one library (Gram sums, solver, scoring, front, SymPy layer);
``levels`` grows the default library level by level; ``mapping`` maps a law
for a transformed target back to y; ``selection`` scores and chooses;
``noise`` says when a law fits to the noise and the search can stop.
"""
