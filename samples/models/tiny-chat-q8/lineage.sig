{
  "dsseEnvelope": {
    "payload": "eyJfdHlwZSI6Imh0dHBzOi8vaW4tdG90by5pby9TdGF0ZW1lbnQvdjEiLCJwcmVkaWNhdGUiOnsiZGF0YXNldHMiOltdLCJwYXJlbnRzIjpbeyJuYW1lIjoidGlueS1jaGF0Iiwicm9vdERpZ2VzdCI6eyJzaGEyNTYiOiJhODEyYjRhZTA3NGMyOGY3Yjc0YzdmOGQ2YmYwNzRkN2U2YjQ5MzQwOTk2MjI0YmMzZjBkZmUzYTQzN2IwOWQ2In0sInNpZ25hdHVyZSI6eyJtZXRob2QiOiJjZXJ0aWZpY2F0ZSIsInNoYTI1NiI6ImE0NDkxYzc2ZGZkYTcyYjRmM2E0YTdkMmNhN2JiNDYwZmViMmMyMDcwZDM2Yjc1YTExMWFmN2NlMTYzYzgxYzUifX1dLCJyZWxhdGlvbiI6InF1YW50aXplZCIsInRvb2wiOnsibmFtZSI6ImFpYm9tIiwidmVyc2lvbiI6IjAuMS4wIn19LCJwcmVkaWNhdGVUeXBlIjoiaHR0cHM6Ly9haWJvbS5kZXYvbGluZWFnZS92MSIsInN1YmplY3QiOlt7ImRpZ2VzdCI6eyJzaGEyNTYiOiI1ZjM2MTM1ZDBiZTllYzlmM2IwMzEwZDhlY2VjYzY0MDc2MzdhNmEzNjgxNzJjNWJhNjY0N2NkY2MyYzBmNzJjIn0sIm5hbWUiOiJ0aW55LWNoYXQtcTgifV19",
    "payloadType": "application/vnd.in-toto+json",
    "signatures": [
      {
        "sig": "MEUCIQD+Cr3TvIXg+hM9YoXgtNrkntHL8mjZuEOZ4XKBkvsGJQIgUDImeojUFyMmohcCd500csCU5kUTj2PPSG3aZjpycCY="
      }
    ]
  },
  "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
  "verificationMaterial": {
    "publicKey": {
      "hint": "bc2a08131305e9d679e11f3b4228cf99d2a92398d182537f8ae2532044e0318c"
    },
    "tlogEntries": []
  }
}
