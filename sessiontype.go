package switchboard

import "sort"

// Medium says whether a session is a voice call or a chat.
type Medium string

// Media.
const (
	MediumVoice Medium = "voice"
	MediumChat  Medium = "chat"
)

// Direction says who started the contact.
type Direction string

// Directions.
const (
	Inbound  Direction = "inbound"
	Outbound Direction = "outbound"
)

// Channel is the way a session reaches the contact center.
type Channel string

// Channels (SPEC §1.1, §2.6).
const (
	ChannelPSTN        Channel = "pstn"
	ChannelMobile      Channel = "mobile"
	ChannelWeb         Channel = "web"
	ChannelAPI         Channel = "api"
	ChannelWhatsApp    Channel = "whatsapp"
	ChannelSMS         Channel = "sms"
	ChannelMiniProgram Channel = "mini_program"
)

// SessionType is one of the voice or chat session types of SPEC §1.1.
type SessionType string

// Session types. The constant's value is Switchboard's stable key; the CCAI
// display strings are in the TypeInfo returned by Info.
const (
	TypeVoiceInbound          SessionType = "voice_inbound"
	TypeVoiceInboundIVRMobile SessionType = "voice_inbound_ivr_mobile"
	TypeVoiceInboundMobile    SessionType = "voice_inbound_mobile"
	TypeVoiceCallbackWeb      SessionType = "voice_callback_web"
	TypeVoiceInboundAPI       SessionType = "voice_inbound_api"
	TypeVoiceScheduledMobile  SessionType = "voice_scheduled_mobile"
	TypeVoiceScheduledWeb     SessionType = "voice_scheduled_web"
	TypeVoiceOutbound         SessionType = "voice_outbound"
	TypeVoiceOutboundAPI      SessionType = "voice_outbound_api"
	TypeVoiceCampaign         SessionType = "voice_campaign"

	TypeChatWhatsApp       SessionType = "chat_whatsapp"
	TypeChatSMSInbound     SessionType = "chat_sms_inbound"
	TypeChatSMSOutbound    SessionType = "chat_sms_outbound"
	TypeChatSMSOutboundAPI SessionType = "chat_sms_outbound_api"
	TypeChatWeb            SessionType = "chat_web"
	TypeChatMobile         SessionType = "chat_mobile"
	TypeChatWebPlugin      SessionType = "chat_web_plugin"
	TypeChatMiniProgram    SessionType = "chat_mini_program"
)

// TypeInfo describes a session type.
type TypeInfo struct {
	Medium    Medium
	Direction Direction
	Channel   Channel
	// Scheduled types start in StatusScheduled and need a scheduled time.
	Scheduled bool
	// Campaign types are placed by the outbound dialer.
	Campaign bool
	// Legacy is the CCAI call_type / chat_type string (also session_type).
	Legacy string
	// V2 is the CCAI session_type_v2 string.
	V2 string
}

var sessionTypes = map[SessionType]TypeInfo{
	TypeVoiceInbound:          {MediumVoice, Inbound, ChannelPSTN, false, false, "Voice Inbound (IVR)", "Voice Inbound (IVR)"},
	TypeVoiceInboundIVRMobile: {MediumVoice, Inbound, ChannelPSTN, false, false, "Voice Inbound (IVR using App)", "Voice Inbound (IVR using Mobile)"},
	TypeVoiceInboundMobile:    {MediumVoice, Inbound, ChannelMobile, false, false, "Voice Inbound (App)", "Voice Inbound (Mobile)"},
	TypeVoiceCallbackWeb:      {MediumVoice, Inbound, ChannelWeb, false, false, "Voice Callback (Web)", "Voice Callback (Web)"},
	TypeVoiceInboundAPI:       {MediumVoice, Inbound, ChannelAPI, false, false, "Voice Inbound (API)", "Voice Inbound (API)"},
	TypeVoiceScheduledMobile:  {MediumVoice, Inbound, ChannelMobile, true, false, "Voice Scheduled (App)", "Voice Scheduled (Mobile)"},
	TypeVoiceScheduledWeb:     {MediumVoice, Inbound, ChannelWeb, true, false, "Voice Scheduled (Web)", "Voice Scheduled (Web)"},
	TypeVoiceOutbound:         {MediumVoice, Outbound, ChannelPSTN, false, false, "Voice Outbound", "Voice Outbound"},
	TypeVoiceOutboundAPI:      {MediumVoice, Outbound, ChannelAPI, false, false, "Voice Outbound (API)", "Voice Outbound (API)"},
	TypeVoiceCampaign:         {MediumVoice, Outbound, ChannelPSTN, false, true, "Voice Campaign", "Voice Campaign"},

	TypeChatWhatsApp:       {MediumChat, Inbound, ChannelWhatsApp, false, false, "Messaging (WhatsApp)", "Messaging (WhatsApp)"},
	TypeChatSMSInbound:     {MediumChat, Inbound, ChannelSMS, false, false, "Messaging (SMS)", "Messaging Inbound (SMS)"},
	TypeChatSMSOutbound:    {MediumChat, Outbound, ChannelSMS, false, false, "Messaging Outbound (SMS)", "Messaging Outbound (SMS)"},
	TypeChatSMSOutboundAPI: {MediumChat, Outbound, ChannelAPI, false, false, "Messaging Outbound (SMS via API)", "Messaging Outbound (SMS via API)"},
	TypeChatWeb:            {MediumChat, Inbound, ChannelWeb, false, false, "Messaging Inbound (Web Chat)", "Messaging Inbound (Web Chat)"},
	TypeChatMobile:         {MediumChat, Inbound, ChannelMobile, false, false, "Messaging Inbound (App Chat)", "Messaging Inbound (Mobile Chat)"},
	TypeChatWebPlugin:      {MediumChat, Inbound, ChannelWeb, false, false, "Messaging Inbound (Web Plugin)", "Messaging Inbound (Web Plugin)"},
	TypeChatMiniProgram:    {MediumChat, Inbound, ChannelMiniProgram, false, false, "Messaging Inbound (Mini-Program)", "Messaging Inbound (Mini-Program)"},
}

// Info returns the description of t and whether t is a known type.
func (t SessionType) Info() (TypeInfo, bool) {
	i, ok := sessionTypes[t]
	return i, ok
}

// Valid reports whether t is a known session type.
func (t SessionType) Valid() bool { _, ok := sessionTypes[t]; return ok }

// SessionTypes returns every known session type, sorted.
func SessionTypes() []SessionType {
	out := make([]SessionType, 0, len(sessionTypes))
	for t := range sessionTypes {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}
