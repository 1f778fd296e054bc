"""A resolver for `optout.crm_http.resolve` that answers what the test says: a name maps to a
list of addresses (changeable between two lookups, as a rebinding DNS would), any other name does
not resolve. Tests never reach the real DNS, nor any address off this machine."""

import ipaddress
import socket
from dataclasses import dataclass, field


@dataclass
class FakeDns:
    answers: dict[str, list] = field(default_factory=dict)
    asked: list[str] = field(default_factory=list)

    def set(self, host: str, *addresses: str) -> None:
        self.answers[host] = [ipaddress.ip_address(a) for a in addresses]

    def __call__(self, host: str, port: int) -> list:
        self.asked.append(host)
        if host not in self.answers:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return list(self.answers[host])
