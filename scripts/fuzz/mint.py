"""The test issuer's files and tokens, for the fuzz run only (the key is made per run).

    mint.py key KEY.pem                write a new RSA 2048 private key (PEM)
    mint.py files KEY.pem ISSUER DIR   writes DIR/.well-known/openid-configuration and DIR/jwks
    mint.py token KEY.pem ISSUER SUB SCOPE SECONDS   prints an RS256 access token
"""

import json
import sys
import time
from pathlib import Path

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    load_pem_private_key,
)
from jwt.algorithms import RSAAlgorithm

KID = "fuzz-1"
AUDIENCE = "api://myorgs"


def private_key(path):
    return load_pem_private_key(Path(path).read_bytes(), password=None)


def new_key(path):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    Path(path).write_bytes(pem)


def files(key_path, issuer, folder):
    folder = Path(folder)
    jwk = json.loads(RSAAlgorithm.to_jwk(private_key(key_path).public_key()))
    jwk.update(kid=KID, alg="RS256", use="sig")
    (folder / "jwks").write_text(json.dumps({"keys": [jwk]}))
    discovery = folder / ".well-known" / "openid-configuration"
    discovery.parent.mkdir(parents=True, exist_ok=True)
    discovery.write_text(json.dumps({"issuer": issuer, "jwks_uri": f"{issuer}/jwks"}))


def token(key_path, issuer, sub, scope, seconds):
    now = int(time.time())
    claims = {
        "iss": issuer,
        "aud": AUDIENCE,
        "sub": sub,
        "scope": scope,
        "iat": now,
        "nbf": now - 5,
        "exp": now + int(seconds),
        "client_id": "myorgs-fuzz",
    }
    headers = {"kid": KID, "typ": "at+jwt"}
    return jwt.encode(claims, private_key(key_path), algorithm="RS256", headers=headers)


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    if command == "key":
        new_key(*args)
    elif command == "files":
        files(*args)
    elif command == "token":
        print(token(*args))
    else:
        sys.exit(f"unknown command {command}")
