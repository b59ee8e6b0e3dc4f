"""The settle stage: every path that produces a formula ends here.

Fits on the rows (``fitting``) judged by information criteria (``criteria``);
the SymPy layer that prunes, refits and snaps coefficients to exact values
(``sum_of_terms`` for sums of terms, ``expression_fit`` for whole expressions,
``exact_values`` for the recognition itself), the shared selection steps
(``preference``, ``pruning``); a law found on a sample refitted on all rows
(``all_rows``, ``all_rows_front``, ``all_rows_checks``); held-out errors
(``held_out``) and the bootstrap (``bootstrap``).
"""
