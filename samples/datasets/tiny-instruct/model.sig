{
  "dsseEnvelope": {
    "payload": "eyJfdHlwZSI6Imh0dHBzOi8vaW4tdG90by5pby9TdGF0ZW1lbnQvdjEiLCJwcmVkaWNhdGUiOnsicmVzb3VyY2VzIjpbeyJhbGdvcml0aG0iOiJzaGEyNTYiLCJkaWdlc3QiOiIxOGZkOGI4OWNhOWNlMTlmYjk2YjFhNDQxMDM2YWQ4Y2RiYmUzOWEyZmFlMjljNzE4NTZiMjAwOTU5ZjFlYjE3IiwibmFtZSI6IlJFQURNRS5tZCJ9LHsiYWxnb3JpdGhtIjoic2hhMjU2IiwiZGlnZXN0IjoiNGVmZjEyZWMxY2JlODZjNjhhMjNmMWQyZmE1ZjNiMTEwMjVkMTIzODlkY2Y2OTBlNTg3MWE3MDg0ODhkMzY2MyIsIm5hbWUiOiJkYXRhL3RyYWluLmpzb25sIn1dLCJzZXJpYWxpemF0aW9uIjp7ImFsbG93X3N5bWxpbmtzIjpmYWxzZSwiaGFzaF90eXBlIjoic2hhMjU2IiwiaWdub3JlX3BhdGhzIjpbIi5naXQiLCIuZ2l0YXR0cmlidXRlcyIsIi5naXRodWIiLCIuZ2l0aWdub3JlIiwibGluZWFnZS5zaWciLCJtb2RlbC5zaWciXSwibWV0aG9kIjoiZmlsZXMifX0sInByZWRpY2F0ZVR5cGUiOiJodHRwczovL21vZGVsX3NpZ25pbmcvc2lnbmF0dXJlL3YxLjAiLCJzdWJqZWN0IjpbeyJkaWdlc3QiOnsic2hhMjU2IjoiMjUwOTU5YjU0MjkxN2M2Y2JiZTA5NjgxZWY5NzZiNjc2NmQxMmI1NzNmOTU1Y2Y4NjgxZjczODFiMDRkNTMyYyJ9LCJuYW1lIjoidGlueS1pbnN0cnVjdCJ9XX0=",
    "payloadType": "application/vnd.in-toto+json",
    "signatures": [
      {
        "sig": "MEUCIF+N+Lze8k4IoFXDVn1oUPe9pKOEmdGueNfpcARhnOJbAiEA0J8kXN9ZEXeARvLFvKiDzzzzhehjjVpLONO0Qvw/iqg="
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
