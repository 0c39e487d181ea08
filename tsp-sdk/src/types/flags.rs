//! Bit sets with the exact values of `tapi.h` (T§2.3, §2.6).

use bitflags::bitflags;

bitflags! {
    /// `LINECALLPARAMFLAGS_*`: flags of a call's parameters (`LINECALLPARAMS.dwCallParamFlags`, read back in `LINECALLINFO`).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct CallParamFlags: u32 {
        /// `LINECALLPARAMFLAGS_SECURE`: the call is secured: no call-waiting beeps or other interruptions (T§3).
        const SECURE = 0x1;
        /// `LINECALLPARAMFLAGS_IDLE`: place the call only if dial tone is present.
        const IDLE = 0x2;
        /// `LINECALLPARAMFLAGS_BLOCKID`: withhold the caller's id.
        const BLOCKID = 0x4;
        /// `LINECALLPARAMFLAGS_ORIGOFFHOOK`: take the originator's phone off hook.
        const ORIGOFFHOOK = 0x8;
        /// `LINECALLPARAMFLAGS_DESTOFFHOOK`: take the called phone off hook (intercom).
        const DESTOFFHOOK = 0x10;
        /// `LINECALLPARAMFLAGS_NOHOLDCONFERENCE`: (2.0) conference without holding.
        const NOHOLDCONFERENCE = 0x20;
        /// `LINECALLPARAMFLAGS_PREDICTIVEDIAL`: (2.0) predictive dialing.
        const PREDICTIVEDIAL = 0x40;
        /// `LINECALLPARAMFLAGS_ONESTEPTRANSFER`: (2.0) one-step transfer.
        const ONESTEPTRANSFER = 0x80;
    }
}

bitflags! {
    /// `LINEADDRCAPFLAGS_*`: what an address can do (`LINEADDRESSCAPS.dwAddrCapFlags`).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct AddrCapFlags: u32 {
        /// `LINEADDRCAPFLAGS_FWDNUMRINGS`: forwarding honours a ring count.
        const FWDNUMRINGS = 0x1;
        /// `LINEADDRCAPFLAGS_PICKUPGROUPID`: pickup needs a group id.
        const PICKUPGROUPID = 0x2;
        /// `LINEADDRCAPFLAGS_SECURE`: calls can be secured at setup (`CallParamFlags::SECURE`).
        const SECURE = 0x4;
        /// `LINEADDRCAPFLAGS_BLOCKIDDEFAULT`: caller id is blocked by default.
        const BLOCKIDDEFAULT = 0x8;
        /// `LINEADDRCAPFLAGS_BLOCKIDOVERRIDE`: the default can be overridden.
        const BLOCKIDOVERRIDE = 0x10;
        /// `LINEADDRCAPFLAGS_DIALED`: the address must be dialed (off: a hot line).
        const DIALED = 0x20;
        /// `LINEADDRCAPFLAGS_ORIGOFFHOOK`: the originator can be taken off hook.
        const ORIGOFFHOOK = 0x40;
        /// `LINEADDRCAPFLAGS_DESTOFFHOOK`: the called party can be taken off hook.
        const DESTOFFHOOK = 0x80;
        /// `LINEADDRCAPFLAGS_FWDCONSULT`: forwarding makes a consultation call.
        const FWDCONSULT = 0x100;
        /// `LINEADDRCAPFLAGS_SETUPCONFNULL`: a conference can be set up with no call.
        const SETUPCONFNULL = 0x200;
        /// `LINEADDRCAPFLAGS_AUTORECONNECT`: dropping a consultation call reconnects.
        const AUTORECONNECT = 0x400;
        /// `LINEADDRCAPFLAGS_COMPLETIONID`: completion ids are meaningful.
        const COMPLETIONID = 0x800;
        /// `LINEADDRCAPFLAGS_TRANSFERHELD`: a held call can be transferred.
        const TRANSFERHELD = 0x1000;
        /// `LINEADDRCAPFLAGS_TRANSFERMAKE`: a transfer makes a new call.
        const TRANSFERMAKE = 0x2000;
        /// `LINEADDRCAPFLAGS_CONFERENCEHELD`: a held call can join a conference.
        const CONFERENCEHELD = 0x4000;
        /// `LINEADDRCAPFLAGS_CONFERENCEMAKE`: a conference makes a new call.
        const CONFERENCEMAKE = 0x8000;
        /// `LINEADDRCAPFLAGS_PARTIALDIAL`: partial dialing (`;`) is supported.
        const PARTIALDIAL = 0x10000;
        /// `LINEADDRCAPFLAGS_FWDSTATUSVALID`: forwarding status is valid.
        const FWDSTATUSVALID = 0x20000;
        /// `LINEADDRCAPFLAGS_FWDINTEXTADDR`: internal and external forwarding differ.
        const FWDINTEXTADDR = 0x40000;
        /// `LINEADDRCAPFLAGS_FWDBUSYNAADDR`: busy and no-answer forwarding differ.
        const FWDBUSYNAADDR = 0x80000;
        /// `LINEADDRCAPFLAGS_ACCEPTTOALERT`: a call must be accepted before it alerts.
        const ACCEPTTOALERT = 0x100000;
        /// `LINEADDRCAPFLAGS_CONFDROP`: dropping the conference call drops all.
        const CONFDROP = 0x200000;
        /// `LINEADDRCAPFLAGS_PICKUPCALLWAIT`: a waiting call can be picked up.
        const PICKUPCALLWAIT = 0x400000;
        /// `LINEADDRCAPFLAGS_PREDICTIVEDIALER`: (2.0) predictive dialer.
        const PREDICTIVEDIALER = 0x800000;
        /// `LINEADDRCAPFLAGS_QUEUE`: (2.0) ACD queue.
        const QUEUE = 0x1000000;
        /// `LINEADDRCAPFLAGS_ROUTEPOINT`: (2.0) route point.
        const ROUTEPOINT = 0x2000000;
        /// `LINEADDRCAPFLAGS_HOLDMAKESNEW`: (2.0) hold makes a new call.
        const HOLDMAKESNEW = 0x4000000;
        /// `LINEADDRCAPFLAGS_NOINTERNALCALLS`: (2.0) no internal calls.
        const NOINTERNALCALLS = 0x8000000;
        /// `LINEADDRCAPFLAGS_NOEXTERNALCALLS`: (2.0) no external calls.
        const NOEXTERNALCALLS = 0x10000000;
        /// `LINEADDRCAPFLAGS_SETCALLINGID`: (2.0) the calling id can be set.
        const SETCALLINGID = 0x20000000;
    }
}

bitflags! {
    /// `LINEDEVCAPFLAGS_*`: what a line device can do (`LINEDEVCAPS.dwDevCapFlags`).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct DevCapFlags: u32 {
        /// `LINEDEVCAPFLAGS_CROSSADDRCONF`: conferences across addresses.
        const CROSSADDRCONF = 0x1;
        /// `LINEDEVCAPFLAGS_HIGHLEVCOMP`: high-level compatibility info.
        const HIGHLEVCOMP = 0x2;
        /// `LINEDEVCAPFLAGS_LOWLEVCOMP`: low-level compatibility info.
        const LOWLEVCOMP = 0x4;
        /// `LINEDEVCAPFLAGS_MEDIACONTROL`: media control.
        const MEDIACONTROL = 0x8;
        /// `LINEDEVCAPFLAGS_MULTIPLEADDR`: lineMakeCall may pick among several addresses.
        const MULTIPLEADDR = 0x10;
        /// `LINEDEVCAPFLAGS_CLOSEDROP`: closing the line drops its calls.
        const CLOSEDROP = 0x20;
        /// `LINEDEVCAPFLAGS_DIALBILLING`: the device honours `$` (wait for billing tone).
        const DIALBILLING = 0x40;
        /// `LINEDEVCAPFLAGS_DIALQUIET`: the device honours `@` (wait for quiet answer).
        const DIALQUIET = 0x80;
        /// `LINEDEVCAPFLAGS_DIALDIALTONE`: the device honours `W` (wait for dial tone).
        const DIALDIALTONE = 0x100;
    }
}

bitflags! {
    /// `LINECALLFEATURE_*`: what can be done to a call now (`LINECALLSTATUS.dwCallFeatures`).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct CallFeatures: u32 {
        /// `LINECALLFEATURE_ACCEPT`: lineAccept.
        const ACCEPT = 0x1;
        /// `LINECALLFEATURE_ADDTOCONF`: lineAddToConference.
        const ADDTOCONF = 0x2;
        /// `LINECALLFEATURE_ANSWER`: lineAnswer.
        const ANSWER = 0x4;
        /// `LINECALLFEATURE_BLINDTRANSFER`: lineBlindTransfer.
        const BLINDTRANSFER = 0x8;
        /// `LINECALLFEATURE_COMPLETECALL`: lineCompleteCall.
        const COMPLETECALL = 0x10;
        /// `LINECALLFEATURE_COMPLETETRANSF`: lineCompleteTransfer.
        const COMPLETETRANSF = 0x20;
        /// `LINECALLFEATURE_DIAL`: lineDial.
        const DIAL = 0x40;
        /// `LINECALLFEATURE_DROP`: lineDrop.
        const DROP = 0x80;
        /// `LINECALLFEATURE_GATHERDIGITS`: lineGatherDigits.
        const GATHERDIGITS = 0x100;
        /// `LINECALLFEATURE_GENERATEDIGITS`: lineGenerateDigits.
        const GENERATEDIGITS = 0x200;
        /// `LINECALLFEATURE_GENERATETONE`: lineGenerateTone.
        const GENERATETONE = 0x400;
        /// `LINECALLFEATURE_HOLD`: lineHold.
        const HOLD = 0x800;
        /// `LINECALLFEATURE_MONITORDIGITS`: lineMonitorDigits.
        const MONITORDIGITS = 0x1000;
        /// `LINECALLFEATURE_MONITORMEDIA`: lineMonitorMedia.
        const MONITORMEDIA = 0x2000;
        /// `LINECALLFEATURE_MONITORTONES`: lineMonitorTones.
        const MONITORTONES = 0x4000;
        /// `LINECALLFEATURE_PARK`: linePark.
        const PARK = 0x8000;
        /// `LINECALLFEATURE_PREPAREADDCONF`: linePrepareAddToConference.
        const PREPAREADDCONF = 0x10000;
        /// `LINECALLFEATURE_REDIRECT`: lineRedirect.
        const REDIRECT = 0x20000;
        /// `LINECALLFEATURE_REMOVEFROMCONF`: lineRemoveFromConference.
        const REMOVEFROMCONF = 0x40000;
        /// `LINECALLFEATURE_SECURECALL`: lineSecureCall.
        const SECURECALL = 0x80000;
        /// `LINECALLFEATURE_SENDUSERUSER`: lineSendUserUserInfo.
        const SENDUSERUSER = 0x100000;
        /// `LINECALLFEATURE_SETCALLPARAMS`: lineSetCallParams.
        const SETCALLPARAMS = 0x200000;
        /// `LINECALLFEATURE_SETMEDIACONTROL`: lineSetMediaControl.
        const SETMEDIACONTROL = 0x400000;
        /// `LINECALLFEATURE_SETTERMINAL`: lineSetTerminal.
        const SETTERMINAL = 0x800000;
        /// `LINECALLFEATURE_SETUPCONF`: lineSetupConference.
        const SETUPCONF = 0x1000000;
        /// `LINECALLFEATURE_SETUPTRANSFER`: lineSetupTransfer.
        const SETUPTRANSFER = 0x2000000;
        /// `LINECALLFEATURE_SWAPHOLD`: lineSwapHold.
        const SWAPHOLD = 0x4000000;
        /// `LINECALLFEATURE_UNHOLD`: lineUnhold.
        const UNHOLD = 0x8000000;
        /// `LINECALLFEATURE_RELEASEUSERUSERINFO`: lineReleaseUserUserInfo.
        const RELEASEUSERUSERINFO = 0x10000000;
        /// `LINECALLFEATURE_SETTREATMENT`: (2.0) lineSetCallTreatment.
        const SETTREATMENT = 0x20000000;
        /// `LINECALLFEATURE_SETQOS`: (2.0) lineSetCallQualityOfService.
        const SETQOS = 0x40000000;
        /// `LINECALLFEATURE_SETCALLDATA`: (2.0) lineSetCallData.
        const SETCALLDATA = 0x80000000;
    }
}

bitflags! {
    /// `LINEFEATURE_*`: what can be done on a line now (`LINEDEVSTATUS.dwLineFeatures`).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct LineFeatures: u32 {
        /// `LINEFEATURE_DEVSPECIFIC`: lineDevSpecific.
        const DEVSPECIFIC = 0x1;
        /// `LINEFEATURE_DEVSPECIFICFEAT`: lineDevSpecificFeature.
        const DEVSPECIFICFEAT = 0x2;
        /// `LINEFEATURE_FORWARD`: lineForward.
        const FORWARD = 0x4;
        /// `LINEFEATURE_MAKECALL`: lineMakeCall.
        const MAKECALL = 0x8;
        /// `LINEFEATURE_SETMEDIACONTROL`: lineSetMediaControl.
        const SETMEDIACONTROL = 0x10;
        /// `LINEFEATURE_SETTERMINAL`: lineSetTerminal.
        const SETTERMINAL = 0x20;
        /// `LINEFEATURE_SETDEVSTATUS`: (2.0) lineSetLineDevStatus.
        const SETDEVSTATUS = 0x40;
        /// `LINEFEATURE_FORWARDFWD`: (2.0) forward.
        const FORWARDFWD = 0x80;
        /// `LINEFEATURE_FORWARDDND`: (2.0) do not disturb.
        const FORWARDDND = 0x100;
    }
}

bitflags! {
    /// `LINEDEVSTATE_*`: line-device status changes (`LINE_LINEDEVSTATE`, `lineSetStatusMessages`).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct LineDevStates: u32 {
        /// `LINEDEVSTATE_OTHER`: something else changed.
        const OTHER = 0x1;
        /// `LINEDEVSTATE_RINGING`: the line is ringing (p2 ring mode, p3 ring count).
        const RINGING = 0x2;
        /// `LINEDEVSTATE_CONNECTED`: the line connected to the switch.
        const CONNECTED = 0x4;
        /// `LINEDEVSTATE_DISCONNECTED`: the line lost the switch.
        const DISCONNECTED = 0x8;
        /// `LINEDEVSTATE_MSGWAITON`: message waiting on.
        const MSGWAITON = 0x10;
        /// `LINEDEVSTATE_MSGWAITOFF`: message waiting off.
        const MSGWAITOFF = 0x20;
        /// `LINEDEVSTATE_INSERVICE`: in service.
        const INSERVICE = 0x40;
        /// `LINEDEVSTATE_OUTOFSERVICE`: out of service.
        const OUTOFSERVICE = 0x80;
        /// `LINEDEVSTATE_MAINTENANCE`: under maintenance.
        const MAINTENANCE = 0x100;
        /// `LINEDEVSTATE_OPEN`: opened (TAPI level).
        const OPEN = 0x200;
        /// `LINEDEVSTATE_CLOSE`: closed (TAPI level).
        const CLOSE = 0x400;
        /// `LINEDEVSTATE_NUMCALLS`: the number of calls changed.
        const NUMCALLS = 0x800;
        /// `LINEDEVSTATE_NUMCOMPLETIONS`: the number of completions changed.
        const NUMCOMPLETIONS = 0x1000;
        /// `LINEDEVSTATE_TERMINALS`: terminals changed.
        const TERMINALS = 0x2000;
        /// `LINEDEVSTATE_ROAMMODE`: roaming changed.
        const ROAMMODE = 0x4000;
        /// `LINEDEVSTATE_BATTERY`: battery level changed.
        const BATTERY = 0x8000;
        /// `LINEDEVSTATE_SIGNAL`: signal level changed.
        const SIGNAL = 0x10000;
        /// `LINEDEVSTATE_DEVSPECIFIC`: device-specific.
        const DEVSPECIFIC = 0x20000;
        /// `LINEDEVSTATE_REINIT`: shut down and reinitialise (cannot be filtered).
        const REINIT = 0x40000;
        /// `LINEDEVSTATE_LOCK`: lock state changed.
        const LOCK = 0x80000;
        /// `LINEDEVSTATE_CAPSCHANGE`: (1.4) capabilities changed.
        const CAPSCHANGE = 0x100000;
        /// `LINEDEVSTATE_CONFIGCHANGE`: (1.4) configuration changed.
        const CONFIGCHANGE = 0x200000;
        /// `LINEDEVSTATE_TRANSLATECHANGE`: (1.4) translation changed.
        const TRANSLATECHANGE = 0x400000;
        /// `LINEDEVSTATE_COMPLCANCEL`: (1.4) completion cancelled.
        const COMPLCANCEL = 0x800000;
        /// `LINEDEVSTATE_REMOVED`: (1.4) the device is being removed.
        const REMOVED = 0x1000000;
    }
}

bitflags! {
    /// `LINEADDRESSSTATE_*`: address status changes (`LINE_ADDRESSSTATE`).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct AddressStates: u32 {
        /// `LINEADDRESSSTATE_OTHER`: something else changed.
        const OTHER = 0x1;
        /// `LINEADDRESSSTATE_DEVSPECIFIC`: device-specific.
        const DEVSPECIFIC = 0x2;
        /// `LINEADDRESSSTATE_INUSEZERO`: no longer in use.
        const INUSEZERO = 0x4;
        /// `LINEADDRESSSTATE_INUSEONE`: in use by one station.
        const INUSEONE = 0x8;
        /// `LINEADDRESSSTATE_INUSEMANY`: in use by several stations.
        const INUSEMANY = 0x10;
        /// `LINEADDRESSSTATE_NUMCALLS`: the number of calls changed.
        const NUMCALLS = 0x20;
        /// `LINEADDRESSSTATE_FORWARD`: forwarding changed.
        const FORWARD = 0x40;
        /// `LINEADDRESSSTATE_TERMINALS`: terminals changed.
        const TERMINALS = 0x80;
        /// `LINEADDRESSSTATE_CAPSCHANGE`: (1.4) capabilities changed.
        const CAPSCHANGE = 0x100;
    }
}

bitflags! {
    /// `LINECALLINFOSTATE_*`: which call-info fields changed (`LINE_CALLINFO`).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct CallInfoStates: u32 {
        /// `LINECALLINFOSTATE_OTHER`: something else.
        const OTHER = 0x1;
        /// `LINECALLINFOSTATE_DEVSPECIFIC`: device-specific.
        const DEVSPECIFIC = 0x2;
        /// `LINECALLINFOSTATE_BEARERMODE`: bearer mode.
        const BEARERMODE = 0x4;
        /// `LINECALLINFOSTATE_RATE`: rate.
        const RATE = 0x8;
        /// `LINECALLINFOSTATE_MEDIAMODE`: media mode.
        const MEDIAMODE = 0x10;
        /// `LINECALLINFOSTATE_APPSPECIFIC`: app-specific value.
        const APPSPECIFIC = 0x20;
        /// `LINECALLINFOSTATE_CALLID`: call id.
        const CALLID = 0x40;
        /// `LINECALLINFOSTATE_RELATEDCALLID`: related call id.
        const RELATEDCALLID = 0x80;
        /// `LINECALLINFOSTATE_ORIGIN`: origin.
        const ORIGIN = 0x100;
        /// `LINECALLINFOSTATE_REASON`: reason.
        const REASON = 0x200;
        /// `LINECALLINFOSTATE_COMPLETIONID`: completion id.
        const COMPLETIONID = 0x400;
        /// `LINECALLINFOSTATE_NUMOWNERINCR`: owners increased.
        const NUMOWNERINCR = 0x800;
        /// `LINECALLINFOSTATE_NUMOWNERDECR`: owners decreased.
        const NUMOWNERDECR = 0x1000;
        /// `LINECALLINFOSTATE_NUMMONITORS`: monitors changed.
        const NUMMONITORS = 0x2000;
        /// `LINECALLINFOSTATE_TRUNK`: trunk.
        const TRUNK = 0x4000;
        /// `LINECALLINFOSTATE_CALLERID`: caller id.
        const CALLERID = 0x8000;
        /// `LINECALLINFOSTATE_CALLEDID`: called id.
        const CALLEDID = 0x10000;
        /// `LINECALLINFOSTATE_CONNECTEDID`: connected id.
        const CONNECTEDID = 0x20000;
        /// `LINECALLINFOSTATE_REDIRECTIONID`: redirection id.
        const REDIRECTIONID = 0x40000;
        /// `LINECALLINFOSTATE_REDIRECTINGID`: redirecting id.
        const REDIRECTINGID = 0x80000;
        /// `LINECALLINFOSTATE_DISPLAY`: display.
        const DISPLAY = 0x100000;
        /// `LINECALLINFOSTATE_USERUSERINFO`: user-user info.
        const USERUSERINFO = 0x200000;
        /// `LINECALLINFOSTATE_HIGHLEVELCOMP`: high-level compatibility.
        const HIGHLEVELCOMP = 0x400000;
        /// `LINECALLINFOSTATE_LOWLEVELCOMP`: low-level compatibility.
        const LOWLEVELCOMP = 0x800000;
        /// `LINECALLINFOSTATE_CHARGINGINFO`: charging info.
        const CHARGINGINFO = 0x1000000;
        /// `LINECALLINFOSTATE_TERMINAL`: terminal.
        const TERMINAL = 0x2000000;
        /// `LINECALLINFOSTATE_DIALPARAMS`: dial parameters.
        const DIALPARAMS = 0x4000000;
        /// `LINECALLINFOSTATE_MONITORMODES`: monitor modes.
        const MONITORMODES = 0x8000000;
        /// `LINECALLINFOSTATE_TREATMENT`: (2.0) treatment.
        const TREATMENT = 0x10000000;
        /// `LINECALLINFOSTATE_QOS`: (2.0) quality of service.
        const QOS = 0x20000000;
        /// `LINECALLINFOSTATE_CALLDATA`: (2.0) call data.
        const CALLDATA = 0x40000000;
    }
}

bitflags! {
    /// `LINEDIGITMODE_*`: how digits are signalled (monitor/generate digits).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct DigitModes: u32 {
        /// `LINEDIGITMODE_PULSE`: rotary pulses (0-9).
        const PULSE = 0x1;
        /// `LINEDIGITMODE_DTMF`: DTMF tones (0-9, A-D, *, #).
        const DTMF = 0x2;
        /// `LINEDIGITMODE_DTMFEND`: the end of a DTMF tone (monitoring only).
        const DTMFEND = 0x4;
    }
}

bitflags! {
    /// `LINECALLPARTYID_*`: what is known of a party's id (`dwCallerIDFlags`).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct CallPartyIdFlags: u32 {
        /// `LINECALLPARTYID_BLOCKED`: withheld by the party (private).
        const BLOCKED = 0x1;
        /// `LINECALLPARTYID_OUTOFAREA`: not available from the network (out of area).
        const OUTOFAREA = 0x2;
        /// `LINECALLPARTYID_NAME`: the name is present.
        const NAME = 0x4;
        /// `LINECALLPARTYID_ADDRESS`: the number is present.
        const ADDRESS = 0x8;
        /// `LINECALLPARTYID_PARTIAL`: only part of it is present.
        const PARTIAL = 0x10;
        /// `LINECALLPARTYID_UNKNOWN`: not known yet.
        const UNKNOWN = 0x20;
        /// `LINECALLPARTYID_UNAVAIL`: will never be available.
        const UNAVAIL = 0x40;
    }
}

bitflags! {
    /// `LINECALLORIGIN_*`: where a call came from.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct CallOrigin: u32 {
        /// `LINECALLORIGIN_OUTBOUND`: made at this station.
        const OUTBOUND = 0x1;
        /// `LINECALLORIGIN_INTERNAL`: from inside the switch.
        const INTERNAL = 0x2;
        /// `LINECALLORIGIN_EXTERNAL`: from outside the switch.
        const EXTERNAL = 0x4;
        /// `LINECALLORIGIN_UNKNOWN`: not known yet.
        const UNKNOWN = 0x10;
        /// `LINECALLORIGIN_UNAVAIL`: will never be known.
        const UNAVAIL = 0x20;
        /// `LINECALLORIGIN_CONFERENCE`: a conference call.
        const CONFERENCE = 0x40;
        /// `LINECALLORIGIN_INBOUND`: (1.4) inbound, kind unknown.
        const INBOUND = 0x80;
    }
}

bitflags! {
    /// `LINECALLREASON_*`: why a call is here.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct CallReason: u32 {
        /// `LINECALLREASON_DIRECT`: a direct call.
        const DIRECT = 0x1;
        /// `LINECALLREASON_FWDBUSY`: forwarded on busy.
        const FWDBUSY = 0x2;
        /// `LINECALLREASON_FWDNOANSWER`: forwarded on no answer.
        const FWDNOANSWER = 0x4;
        /// `LINECALLREASON_FWDUNCOND`: forwarded unconditionally.
        const FWDUNCOND = 0x8;
        /// `LINECALLREASON_PICKUP`: picked up.
        const PICKUP = 0x10;
        /// `LINECALLREASON_UNPARK`: unparked.
        const UNPARK = 0x20;
        /// `LINECALLREASON_REDIRECT`: redirected.
        const REDIRECT = 0x40;
        /// `LINECALLREASON_CALLCOMPLETION`: call completion.
        const CALLCOMPLETION = 0x80;
        /// `LINECALLREASON_TRANSFER`: transferred.
        const TRANSFER = 0x100;
        /// `LINECALLREASON_REMINDER`: a reminder.
        const REMINDER = 0x200;
        /// `LINECALLREASON_UNKNOWN`: not known yet.
        const UNKNOWN = 0x400;
        /// `LINECALLREASON_UNAVAIL`: will never be known.
        const UNAVAIL = 0x800;
        /// `LINECALLREASON_INTRUDE`: (1.4) intrusion.
        const INTRUDE = 0x1000;
        /// `LINECALLREASON_PARKED`: (1.4) parked.
        const PARKED = 0x2000;
        /// `LINECALLREASON_CAMPEDON`: (2.0) camped on.
        const CAMPEDON = 0x4000;
        /// `LINECALLREASON_ROUTEREQUEST`: (2.0) route request.
        const ROUTEREQUEST = 0x8000;
    }
}

bitflags! {
    /// `LINECALLSELECT_*`: what `get_id` is about.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct CallSelect: u32 {
        /// `LINECALLSELECT_LINE`: the line.
        const LINE = 0x1;
        /// `LINECALLSELECT_ADDRESS`: an address.
        const ADDRESS = 0x2;
        /// `LINECALLSELECT_CALL`: a call.
        const CALL = 0x4;
        /// `LINECALLSELECT_DEVICEID`: (3.0) a device id.
        const DEVICEID = 0x8;
    }
}

bitflags! {
    /// `LINEANSWERMODE_*`: what answering does to an active call.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct AnswerModes: u32 {
        /// `LINEANSWERMODE_NONE`: leaves it alone.
        const NONE = 0x1;
        /// `LINEANSWERMODE_DROP`: drops it.
        const DROP = 0x2;
        /// `LINEANSWERMODE_HOLD`: holds it.
        const HOLD = 0x4;
    }
}

bitflags! {
    /// `LINECALLPRIVILEGE_*`: what an application may do with a call, and with what privileges it
    /// opens a line (T§2.7). A line is opened with NONE, MONITOR, OWNER or MONITOR|OWNER; a call
    /// handle is MONITOR or OWNER.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct CallPrivilege: u32 {
        /// `LINECALLPRIVILEGE_NONE`: outgoing calls only; no handles to other calls.
        const NONE = 0x1;
        /// `LINECALLPRIVILEGE_MONITOR`: observe and query calls.
        const MONITOR = 0x2;
        /// `LINECALLPRIVILEGE_OWNER`: change the call's state (answer, drop, …).
        const OWNER = 0x4;
    }
}

bitflags! {
    /// `LINEREQUESTMODE_*`: kinds of Assisted Telephony requests (T§6). TAPI 2.x uses MAKECALL
    /// only; MEDIACALL is obsolete and DROP belongs to 16-bit TAPI.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct RequestModes: u32 {
        /// `LINEREQUESTMODE_MAKECALL`: `tapiRequestMakeCall`.
        const MAKECALL = 0x1;
        /// `LINEREQUESTMODE_MEDIACALL`: obsolete.
        const MEDIACALL = 0x2;
        /// `LINEREQUESTMODE_DROP`: `tapiRequestDrop` (16-bit TAPI).
        const DROP = 0x4;
    }
}
