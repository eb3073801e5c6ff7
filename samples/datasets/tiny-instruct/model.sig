{
  "dsseEnvelope": {
    "payload": "eyJfdHlwZSI6Imh0dHBzOi8vaW4tdG90by5pby9TdGF0ZW1lbnQvdjEiLCJwcmVkaWNhdGUiOnsicmVzb3VyY2VzIjpbeyJhbGdvcml0aG0iOiJzaGEyNTYiLCJkaWdlc3QiOiIxOGZkOGI4OWNhOWNlMTlmYjk2YjFhNDQxMDM2YWQ4Y2RiYmUzOWEyZmFlMjljNzE4NTZiMjAwOTU5ZjFlYjE3IiwibmFtZSI6IlJFQURNRS5tZCJ9LHsiYWxnb3JpdGhtIjoic2hhMjU2IiwiZGlnZXN0IjoiNGVmZjEyZWMxY2JlODZjNjhhMjNmMWQyZmE1ZjNiMTEwMjVkMTIzODlkY2Y2OTBlNTg3MWE3MDg0ODhkMzY2MyIsIm5hbWUiOiJkYXRhL3RyYWluLmpzb25sIn1dLCJzZXJpYWxpemF0aW9uIjp7ImFsbG93X3N5bWxpbmtzIjpmYWxzZSwiaGFzaF90eXBlIjoic2hhMjU2IiwiaWdub3JlX3BhdGhzIjpbIi5naXQiLCIuZ2l0YXR0cmlidXRlcyIsIi5naXRodWIiLCIuZ2l0aWdub3JlIiwibGluZWFnZS5zaWciLCJtb2RlbC5zaWciLCJ1cHN0cmVhbS5zaWciXSwibWV0aG9kIjoiZmlsZXMifX0sInByZWRpY2F0ZVR5cGUiOiJodHRwczovL21vZGVsX3NpZ25pbmcvc2lnbmF0dXJlL3YxLjAiLCJzdWJqZWN0IjpbeyJkaWdlc3QiOnsic2hhMjU2IjoiMjUwOTU5YjU0MjkxN2M2Y2JiZTA5NjgxZWY5NzZiNjc2NmQxMmI1NzNmOTU1Y2Y4NjgxZjczODFiMDRkNTMyYyJ9LCJuYW1lIjoidGlueS1pbnN0cnVjdCJ9XX0=",
    "payloadType": "application/vnd.in-toto+json",
    "signatures": [
      {
        "sig": "MEUCIQDYg3AbpAByRGCLw8L6yIej+/XlYKXvGauqdVVGqnSo9gIgahTIMLgMAeBGnbYirJ/MjL/SPmxRMvtOlKrP1d7EIhY="
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
