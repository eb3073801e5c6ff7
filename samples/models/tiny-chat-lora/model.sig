{
  "dsseEnvelope": {
    "payload": "eyJfdHlwZSI6Imh0dHBzOi8vaW4tdG90by5pby9TdGF0ZW1lbnQvdjEiLCJwcmVkaWNhdGUiOnsicmVzb3VyY2VzIjpbeyJhbGdvcml0aG0iOiJzaGEyNTYiLCJkaWdlc3QiOiI4NDRlZDExYTA5YmVlZDI4OWJmNDFlMDVmYmM4ZjA1ZTQzYjg0YWY3NGJhNzI1YTlmYTU0NWI3Y2MzN2ZmNjg5IiwibmFtZSI6IlJFQURNRS5tZCJ9LHsiYWxnb3JpdGhtIjoic2hhMjU2IiwiZGlnZXN0IjoiZjNiZjVkODUwYzI3ODQ4ZWIzNjdiODJhMjczMzU5NGZhNmMwODhjZWNjZWFmNDMzZWUxNzExYjYxYTExMWI4NSIsIm5hbWUiOiJhZGFwdGVyX2NvbmZpZy5qc29uIn0seyJhbGdvcml0aG0iOiJzaGEyNTYiLCJkaWdlc3QiOiI4NjU0NTY5ZDQwMjNiZWE5MDExZjA1YmJiMjE2NzdjNjNlNzY1MDM0OGYzMDJjODI0OTQwNGNmODRlMGY0YWZmIiwibmFtZSI6ImFkYXB0ZXJfbW9kZWwuc2FmZXRlbnNvcnMifV0sInNlcmlhbGl6YXRpb24iOnsiYWxsb3dfc3ltbGlua3MiOmZhbHNlLCJoYXNoX3R5cGUiOiJzaGEyNTYiLCJpZ25vcmVfcGF0aHMiOlsiLmdpdCIsIi5naXRhdHRyaWJ1dGVzIiwiLmdpdGh1YiIsIi5naXRpZ25vcmUiLCJsaW5lYWdlLnNpZyIsIm1vZGVsLnNpZyIsInVwc3RyZWFtLnNpZyJdLCJtZXRob2QiOiJmaWxlcyJ9fSwicHJlZGljYXRlVHlwZSI6Imh0dHBzOi8vbW9kZWxfc2lnbmluZy9zaWduYXR1cmUvdjEuMCIsInN1YmplY3QiOlt7ImRpZ2VzdCI6eyJzaGEyNTYiOiIwOTY1OGFjYzJmNjc4MTI0N2YxMzFlMjFkMTQ1NDg5Y2E2MTFhN2I2MmE4MTBlNWZlZDMxYWI4M2ZiODczOWJjIn0sIm5hbWUiOiJ0aW55LWNoYXQtbG9yYSJ9XX0=",
    "payloadType": "application/vnd.in-toto+json",
    "signatures": [
      {
        "sig": "MEUCIQC3p4hixzf4NergNScpuVQYxuVBMDNleZ0+drBZTUJ+lAIgPG63V0rx5VyOX6xjcaf8DHKmJoNxzdFtCIsrtOjw0W4="
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
