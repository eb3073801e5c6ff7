{
  "dsseEnvelope": {
    "payload": "eyJfdHlwZSI6Imh0dHBzOi8vaW4tdG90by5pby9TdGF0ZW1lbnQvdjEiLCJwcmVkaWNhdGUiOnsicmVzb3VyY2VzIjpbeyJhbGdvcml0aG0iOiJzaGEyNTYiLCJkaWdlc3QiOiJmNjhjYTJlZWQwNWJlYWE2OTMzMjQ5NDhlYjU0NmQ2OTVkNDdlMmJmOGRmZmFiZTg1ZGY2YWZkNWE4YmVkNzMyIiwibmFtZSI6IlJFQURNRS5tZCJ9LHsiYWxnb3JpdGhtIjoic2hhMjU2IiwiZGlnZXN0IjoiYzg3YjA5NGYyNjM5ZmY3NDE5NThkZGVjYWQ2N2NlYzc2MDE3MDhhYTAzOWQ1NTAyNzkxZWU0Yjg1MzNlNGNkYyIsIm5hbWUiOiJjb25maWcuanNvbiJ9LHsiYWxnb3JpdGhtIjoic2hhMjU2IiwiZGlnZXN0IjoiYTIxMjgxYWM0NGE4YjM5ZWYzODQ0OWNmZDc1NWEwZGU3MTllOGQ0YTY2Y2VlZjA0ODZkMzJlN2E3MjYxM2M3MSIsIm5hbWUiOiJtb2RlbC5zYWZldGVuc29ycyJ9XSwic2VyaWFsaXphdGlvbiI6eyJhbGxvd19zeW1saW5rcyI6ZmFsc2UsImhhc2hfdHlwZSI6InNoYTI1NiIsImlnbm9yZV9wYXRocyI6WyIuZ2l0IiwiLmdpdGF0dHJpYnV0ZXMiLCIuZ2l0aHViIiwiLmdpdGlnbm9yZSIsImxpbmVhZ2Uuc2lnIiwibW9kZWwuc2lnIiwidXBzdHJlYW0uc2lnIl0sIm1ldGhvZCI6ImZpbGVzIn19LCJwcmVkaWNhdGVUeXBlIjoiaHR0cHM6Ly9tb2RlbF9zaWduaW5nL3NpZ25hdHVyZS92MS4wIiwic3ViamVjdCI6W3siZGlnZXN0Ijp7InNoYTI1NiI6ImE4MTJiNGFlMDc0YzI4ZjdiNzRjN2Y4ZDZiZjA3NGQ3ZTZiNDkzNDA5OTYyMjRiYzNmMGRmZTNhNDM3YjA5ZDYifSwibmFtZSI6InRpbnktY2hhdCJ9XX0=",
    "payloadType": "application/vnd.in-toto+json",
    "signatures": [
      {
        "sig": "MEUCIAxkqeFS7tcHUYodGaoxLvf6FEpBET8JrXmeQj6/O70eAiEApUVWUi4EcHdPKTAcx7ayJDrKA7guUJUjutLHvsgWDUs="
      }
    ]
  },
  "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
  "verificationMaterial": {
    "publicKey": {
      "hint": "2d370440c3fd701251dd3890ad510e200c796acebfe25fd99c527c26fa58f6d0"
    },
    "tlogEntries": []
  }
}
