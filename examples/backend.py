"""A search backend: Operon's genetic programming (pip install 'equation-discovery[operon]'), whose
candidates are settled into exact laws by the same SymPy layer as every other method.

Run: python examples/backend.py
"""

import numpy as np

from discovery import BackendUnavailable, discover


def main() -> None:
    rng = np.random.default_rng(3)
    X = rng.uniform(1, 5, (400, 2))
    y = X[:, 0] * np.exp(-X[:, 1] / 2)  # not a sum of library terms in y: a search backend's kind of law

    try:
        law = discover(X, y, variables=["a", "b"], method="operon", time_limit=20, random_state=0)
    except BackendUnavailable as err:  # Operon not installed: say so, and use the built-in search instead
        print(f"operon is not available here ({err}); using method='auto'")
        law = discover(X, y, variables=["a", "b"], time_limit=20, random_state=0)
    print(law)
    print(f"method {law.info.get('method')}, R² {law.r2:.6f}")


if __name__ == "__main__":
    main()
