{
  "dsseEnvelope": {
    "payload": "eyJfdHlwZSI6Imh0dHBzOi8vaW4tdG90by5pby9TdGF0ZW1lbnQvdjEiLCJwcmVkaWNhdGUiOnsicmVzb3VyY2VzIjpbeyJhbGdvcml0aG0iOiJzaGEyNTYiLCJkaWdlc3QiOiI4NDRlZDExYTA5YmVlZDI4OWJmNDFlMDVmYmM4ZjA1ZTQzYjg0YWY3NGJhNzI1YTlmYTU0NWI3Y2MzN2ZmNjg5IiwibmFtZSI6IlJFQURNRS5tZCJ9LHsiYWxnb3JpdGhtIjoic2hhMjU2IiwiZGlnZXN0IjoiZjNiZjVkODUwYzI3ODQ4ZWIzNjdiODJhMjczMzU5NGZhNmMwODhjZWNjZWFmNDMzZWUxNzExYjYxYTExMWI4NSIsIm5hbWUiOiJhZGFwdGVyX2NvbmZpZy5qc29uIn0seyJhbGdvcml0aG0iOiJzaGEyNTYiLCJkaWdlc3QiOiI4NjU0NTY5ZDQwMjNiZWE5MDExZjA1YmJiMjE2NzdjNjNlNzY1MDM0OGYzMDJjODI0OTQwNGNmODRlMGY0YWZmIiwibmFtZSI6ImFkYXB0ZXJfbW9kZWwuc2FmZXRlbnNvcnMifV0sInNlcmlhbGl6YXRpb24iOnsiYWxsb3dfc3ltbGlua3MiOmZhbHNlLCJoYXNoX3R5cGUiOiJzaGEyNTYiLCJpZ25vcmVfcGF0aHMiOlsiLmdpdCIsIi5naXRhdHRyaWJ1dGVzIiwiLmdpdGh1YiIsIi5naXRpZ25vcmUiLCJsaW5lYWdlLnNpZyIsIm1vZGVsLnNpZyJdLCJtZXRob2QiOiJmaWxlcyJ9fSwicHJlZGljYXRlVHlwZSI6Imh0dHBzOi8vbW9kZWxfc2lnbmluZy9zaWduYXR1cmUvdjEuMCIsInN1YmplY3QiOlt7ImRpZ2VzdCI6eyJzaGEyNTYiOiIwOTY1OGFjYzJmNjc4MTI0N2YxMzFlMjFkMTQ1NDg5Y2E2MTFhN2I2MmE4MTBlNWZlZDMxYWI4M2ZiODczOWJjIn0sIm5hbWUiOiJ0aW55LWNoYXQtbG9yYSJ9XX0=",
    "payloadType": "application/vnd.in-toto+json",
    "signatures": [
      {
        "sig": "MEUCIQCwvjGJTCQUurdFeRy1EKx9c7lB6RB5D7I/QmQuo6qSgAIgSRgsXLgzjBMrPmfbZgR7dtWHBwmcNF6Q/jRa7H5OkBc="
      }
    ]
  },
  "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
  "verificationMaterial": {
    "publicKey": {
      "hint": "0a1945445ef0f0b98557cc42fbfed38b90bdd295cf41c05e1098ded400e9657d"
    },
    "tlogEntries": []
  }
}
