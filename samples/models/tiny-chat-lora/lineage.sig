{
  "dsseEnvelope": {
    "payload": "eyJfdHlwZSI6Imh0dHBzOi8vaW4tdG90by5pby9TdGF0ZW1lbnQvdjEiLCJwcmVkaWNhdGUiOnsiZGF0YXNldHMiOltdLCJwYXJlbnRzIjpbeyJuYW1lIjoidGlueS1jaGF0Iiwicm9vdERpZ2VzdCI6eyJzaGEyNTYiOiJhODEyYjRhZTA3NGMyOGY3Yjc0YzdmOGQ2YmYwNzRkN2U2YjQ5MzQwOTk2MjI0YmMzZjBkZmUzYTQzN2IwOWQ2In0sInNpZ25hdHVyZSI6eyJtZXRob2QiOiJjZXJ0aWZpY2F0ZSIsInNoYTI1NiI6ImE0NDkxYzc2ZGZkYTcyYjRmM2E0YTdkMmNhN2JiNDYwZmViMmMyMDcwZDM2Yjc1YTExMWFmN2NlMTYzYzgxYzUifX1dLCJyZWxhdGlvbiI6ImFkYXB0ZXIiLCJ0b29sIjp7Im5hbWUiOiJhaWJvbSIsInZlcnNpb24iOiIwLjEuMCJ9fSwicHJlZGljYXRlVHlwZSI6Imh0dHBzOi8vYWlib20uZGV2L2xpbmVhZ2UvdjEiLCJzdWJqZWN0IjpbeyJkaWdlc3QiOnsic2hhMjU2IjoiMDk2NThhY2MyZjY3ODEyNDdmMTMxZTIxZDE0NTQ4OWNhNjExYTdiNjJhODEwZTVmZWQzMWFiODNmYjg3MzliYyJ9LCJuYW1lIjoidGlueS1jaGF0LWxvcmEifV19",
    "payloadType": "application/vnd.in-toto+json",
    "signatures": [
      {
        "sig": "MEYCIQD044SotPNk4+o3YSMZ1rayAF6+r8dY/uid2W0JOuirDwIhAKqbTuLHqjpD0CayOuqaT1M5l+K69AP5z88VIRhoyQZt"
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
