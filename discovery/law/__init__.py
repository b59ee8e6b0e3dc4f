"""The law layer: every path that produces a formula ends here.

Fits on the rows (``fitting``) judged by information criteria (``criteria``);
the SymPy layer that prunes, refits and snaps coefficients to exact values
(``settle`` for sums of terms, ``expression_fit`` for whole expressions,
``exact_values`` for the recognition itself); and the result, ``Law``, with its
coefficients, display, held-out errors, bootstrap and law files.
"""
