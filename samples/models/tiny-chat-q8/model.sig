{
  "dsseEnvelope": {
    "payload": "eyJfdHlwZSI6Imh0dHBzOi8vaW4tdG90by5pby9TdGF0ZW1lbnQvdjEiLCJwcmVkaWNhdGUiOnsicmVzb3VyY2VzIjpbeyJhbGdvcml0aG0iOiJzaGEyNTYiLCJkaWdlc3QiOiJkMDBkZmFjZGRhODkwZWFjNDA3MDg3NGY1MWE4OTMxOWM3ZDU0YTMyNWU3OThlMDU5NTkxYmYxMGRiNTIzMjgwIiwibmFtZSI6IlJFQURNRS5tZCJ9LHsiYWxnb3JpdGhtIjoic2hhMjU2IiwiZGlnZXN0IjoiZWJkNmY4NjU1NDFjODllOTBmMDQ4ZmVkNTVjMTczY2IzYzgzZDNmOGUwMThhYTg4Yzk4ODRhNmJkN2MyNDE4NSIsIm5hbWUiOiJ0aW55LWNoYXQtcThfMC5nZ3VmIn1dLCJzZXJpYWxpemF0aW9uIjp7ImFsbG93X3N5bWxpbmtzIjpmYWxzZSwiaGFzaF90eXBlIjoic2hhMjU2IiwiaWdub3JlX3BhdGhzIjpbIi5naXQiLCIuZ2l0YXR0cmlidXRlcyIsIi5naXRodWIiLCIuZ2l0aWdub3JlIiwibGluZWFnZS5zaWciLCJtb2RlbC5zaWciLCJ1cHN0cmVhbS5zaWciXSwibWV0aG9kIjoiZmlsZXMifX0sInByZWRpY2F0ZVR5cGUiOiJodHRwczovL21vZGVsX3NpZ25pbmcvc2lnbmF0dXJlL3YxLjAiLCJzdWJqZWN0IjpbeyJkaWdlc3QiOnsic2hhMjU2IjoiNWYzNjEzNWQwYmU5ZWM5ZjNiMDMxMGQ4ZWNlY2M2NDA3NjM3YTZhMzY4MTcyYzViYTY2NDdjZGNjMmMwZjcyYyJ9LCJuYW1lIjoidGlueS1jaGF0LXE4In1dfQ==",
    "payloadType": "application/vnd.in-toto+json",
    "signatures": [
      {
        "sig": "MEYCIQDoWkCFPLIcd2Ht/xzKo0Z3EZ+/hWoYxT2/4lzbQoclWgIhAJ/tGHu5APA9HhQQgs7U52nIeqmkzmgNl7YBHetFBRNo"
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
