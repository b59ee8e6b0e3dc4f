"""The result: the ``Law`` and how it shows, exports and saves itself.

``law`` (the Law), its coefficients (``coefficient``), their display
(``display``, ``notebook``, ``plots``), evaluation (``evaluate``), exports
(``export``, ``torch_module``) and law files (``file``); the selection
margins it states (``margins``) and generic expression helpers
(``expressions``). The settle stage that produces a Law is
:mod:`discovery.settle`.
"""
