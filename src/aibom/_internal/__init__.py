"""Shared plumbing for every aibom package (the sigstore-python `_internal` convention).

Nothing here is public API. The modules:

    text      one-line messages, human-readable sizes
    files     capped, non-blocking reads of untrusted files; reads confined to a directory
    jsonio    the one strict JSON loader
    yamlio    bounded, safe YAML (YAML 1.2 booleans)
    atomic    crash-safe writes that honour the umask
    schema    JSON Schema validators whose format checks never depend on optional packages
"""
