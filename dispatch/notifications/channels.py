"""Sending one message through its channel: SMTP, Apprise (chats, webhooks), Tencent SMS.

Each channel answers with the provider's id of what it accepted, or raises DeliveryError
(permanent when trying again cannot help: no such channel configured, an address refused).
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate

import apprise
from tencentcloud.common import credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.sms.v20210111 import models as sms_models
from tencentcloud.sms.v20210111 import sms_client

from dispatch.config import Settings
from models.enums import Channel, NoticeEvent

TIMEOUT_SECONDS = 20


class DeliveryError(Exception):
    def __init__(self, detail: str, *, permanent: bool = False) -> None:
        super().__init__(detail)
        self.detail = detail[:500]
        self.permanent = permanent


@dataclass(frozen=True)
class Message:
    """A message ready to go: links filled in, to the person's current address."""

    id: int
    event: NoticeEvent
    channel: Channel
    address: str
    subject: str
    body: str
    params: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Email:
    host: str
    port: int
    sender: str
    username: str | None = None
    password: str | None = None
    starttls: bool = False

    def send(self, message: Message) -> str:
        mail = EmailMessage()
        mail["From"] = self.sender
        mail["To"] = message.address
        mail["Subject"] = message.subject
        mail["Date"] = formatdate(localtime=False)
        # The same id on a second try: mail programs show a message sent twice once.
        mail["Message-ID"] = f"<notification-{message.id}@careroute>"
        mail.set_content(message.body)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=TIMEOUT_SECONDS) as smtp:
                if self.starttls:
                    smtp.starttls()
                if self.username:
                    smtp.login(self.username, self.password or "")
                refused = smtp.send_message(mail)
        except smtplib.SMTPRecipientsRefused as error:
            raise DeliveryError(f"address refused: {error.recipients}", permanent=True) from error
        except (smtplib.SMTPException, OSError) as error:
            raise DeliveryError(f"e-mail not sent: {error}") from error
        if refused:
            raise DeliveryError(f"address refused: {refused}", permanent=True)
        return str(mail["Message-ID"])


class Chat:
    """Group chats and webhooks by Apprise URL: wecombot://, dingtalk://, json://, ..."""

    def send(self, message: Message) -> str:
        service = apprise.Apprise()
        if not service.add(message.address):
            raise DeliveryError("Apprise does not know this chat address", permanent=True)
        with apprise.LogCapture(level=apprise.logging.WARNING) as log:  # type: ignore[no-untyped-call]
            sent = service.notify(title=message.subject, body=message.body)
        if not sent:
            said = log.getvalue().strip().splitlines()
            raise DeliveryError(f"chat not sent: {said[-1] if said else 'no answer'}")
        return "accepted"


@dataclass(frozen=True)
class Sms:
    """Tencent Cloud SMS (SendSms, API 2021-01-11), signed by the SDK (TC3-HMAC-SHA256)."""

    secret_id: str
    secret_key: str
    app_id: str
    sign_name: str
    templates: dict[str, str]
    region: str = "ap-guangzhou"
    endpoint: str | None = None
    scheme: str = "https"

    def send(self, message: Message) -> str:
        template = self.templates.get(message.event.value)
        if not template:
            raise DeliveryError(
                f"no SMS template for {message.event.value} (CAREROUTE_SMS_TEMPLATES)",
                permanent=True,
            )
        http = HttpProfile(protocol=self.scheme, endpoint=self.endpoint, reqTimeout=TIMEOUT_SECONDS)
        client = sms_client.SmsClient(
            credential.Credential(self.secret_id, self.secret_key),
            self.region,
            ClientProfile(httpProfile=http),
        )
        request = sms_models.SendSmsRequest()
        request.PhoneNumberSet = [_e164(message.address)]
        request.SmsSdkAppId = self.app_id
        request.SignName = self.sign_name
        request.TemplateId = template
        request.TemplateParamSet = message.params
        request.SessionContext = f"notification-{message.id}"
        try:
            answer = client.SendSms(request)
        except TencentCloudSDKException as error:
            raise DeliveryError(
                f"SMS not sent: {error.get_code()} {error.get_message()}"
            ) from error
        status = answer.SendStatusSet[0] if answer.SendStatusSet else None
        if status is None or status.Code != "Ok":
            said = f"{status.Code}: {status.Message}" if status else "no status"
            raise DeliveryError(f"SMS refused: {said}")
        return str(status.SerialNo)


def _e164(number: str) -> str:
    if number.startswith("+"):
        return number
    return f"+86{number.removeprefix('86')}" if len(number) > 11 else f"+86{number}"


@dataclass(frozen=True)
class Channels:
    email: Email | None
    chat: Chat | None
    sms: Sms | None

    def send(self, message: Message) -> str:
        channel = {Channel.EMAIL: self.email, Channel.CHAT: self.chat, Channel.SMS: self.sms}[
            message.channel
        ]
        if channel is None:
            raise DeliveryError(
                f"the {message.channel.value} channel is not configured", permanent=True
            )
        return channel.send(message)


def channels(settings: Settings) -> Channels:
    """The channels the settings configure (README: "Telling people")."""
    email = (
        Email(
            host=settings.smtp_host,
            port=settings.smtp_port,
            sender=settings.smtp_from,
            username=settings.smtp_username,
            password=settings.smtp_password,
            starttls=settings.smtp_starttls,
        )
        if settings.smtp_host
        else None
    )
    sms = None
    if settings.sms_secret_id and settings.sms_secret_key and settings.sms_app_id:
        sms = Sms(
            secret_id=settings.sms_secret_id,
            secret_key=settings.sms_secret_key,
            app_id=settings.sms_app_id,
            sign_name=settings.sms_sign_name or "",
            templates=settings.sms_templates,
            region=settings.sms_region,
            endpoint=settings.sms_endpoint,
            scheme=settings.sms_scheme,
        )
    return Channels(email=email, chat=Chat(), sms=sms)
