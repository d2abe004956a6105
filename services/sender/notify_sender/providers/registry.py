"""Provider clients built once from configuration: the live set and the simulator set.

Test keys, research mode and simulated recipients only ever get the simulator set, whose clients are
built from SIMULATOR_URL alone, so nothing they send can reach MMG_URL, FIRETEXT_URL or SES.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..config import SenderConfig
from .base import EmailProvider, SmsProvider
from .firetext import FiretextClient
from .mmg import MmgClient
from .ses import SesClient

SIMULATOR_CREDENTIAL = "simulator"


@dataclass(frozen=True)
class ProviderSet:
    sms: dict[str, SmsProvider]
    email: dict[str, EmailProvider]


@dataclass(frozen=True)
class Providers:
    live: ProviderSet
    simulated: ProviderSet

    def sms(self, name: str, *, simulated: bool) -> SmsProvider | None:
        return (self.simulated if simulated else self.live).sms.get(name)

    def email(self, name: str, *, simulated: bool) -> EmailProvider | None:
        return (self.simulated if simulated else self.live).email.get(name)


def build_providers(config: SenderConfig) -> Providers:
    timeout = config.provider_timeout_seconds
    # A connection per send in flight, so none is opened and thrown away under load.
    connections = config.concurrency
    live = ProviderSet(
        sms={
            "mmg": MmgClient(config.mmg_url, config.mmg_api_key, timeout, connections),
            "firetext": FiretextClient(config.firetext_url, config.firetext_api_key,
                                       config.firetext_international_api_key, timeout, connections),
        },
        email={"ses": SesClient(region=config.ses_region, endpoint_url=config.ses_endpoint_url,
                                access_key_id=config.ses_access_key_id,
                                secret_access_key=config.ses_secret_access_key,
                                timeout_seconds=timeout, max_connections=config.concurrency)},
    )
    sim = config.simulator_url
    simulated = ProviderSet(
        sms={
            "mmg": MmgClient(f"{sim}/mmg", SIMULATOR_CREDENTIAL, timeout, connections),
            "firetext": FiretextClient(f"{sim}/firetext", SIMULATOR_CREDENTIAL, SIMULATOR_CREDENTIAL, timeout,
                                       connections),
        },
        email={"ses": SesClient(region=config.ses_region, endpoint_url=f"{sim}/ses",
                                access_key_id=SIMULATOR_CREDENTIAL, secret_access_key=SIMULATOR_CREDENTIAL,
                                timeout_seconds=timeout, max_connections=config.concurrency)},
    )
    return Providers(live, simulated)
