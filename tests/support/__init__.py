"""What many test packages share, defined once: CLI runners and the one-line-failure check
(`cli`), model directories and statements (`models`), test PKI (`pki`), where the shared test
data lives (`shared`), and the names of model_signing's vectors (`vectors`).

Test modules import from here, never from each other or from a conftest.
"""
