use bitflags::bitflags;

bitflags! {
    /// `LINEMEDIAMODE_*`: what flows over a call (T§2.5). Fax and modem ride on a VOICE bearer.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct MediaModes: u32 {
        /// `LINEMEDIAMODE_UNKNOWN`: not yet determined (may be combined with candidate modes).
        const UNKNOWN = 0x0002;
        /// `LINEMEDIAMODE_INTERACTIVEVOICE`: people talking.
        const INTERACTIVEVOICE = 0x0004;
        /// `LINEMEDIAMODE_AUTOMATEDVOICE`: an answering machine or announcement.
        const AUTOMATEDVOICE = 0x0008;
        /// `LINEMEDIAMODE_DATAMODEM`: a data modem session.
        const DATAMODEM = 0x0010;
        /// `LINEMEDIAMODE_G3FAX`: group 3 fax.
        const G3FAX = 0x0020;
        /// `LINEMEDIAMODE_TDD`: telephony device for the deaf.
        const TDD = 0x0040;
        /// `LINEMEDIAMODE_G4FAX`: group 4 fax.
        const G4FAX = 0x0080;
        /// `LINEMEDIAMODE_DIGITALDATA`: unformatted digital data.
        const DIGITALDATA = 0x0100;
        /// `LINEMEDIAMODE_TELETEX`
        const TELETEX = 0x0200;
        /// `LINEMEDIAMODE_VIDEOTEX`
        const VIDEOTEX = 0x0400;
        /// `LINEMEDIAMODE_TELEX`
        const TELEX = 0x0800;
        /// `LINEMEDIAMODE_MIXED`
        const MIXED = 0x1000;
        /// `LINEMEDIAMODE_ADSI`
        const ADSI = 0x2000;
        /// `LINEMEDIAMODE_VOICEVIEW` (1.4)
        const VOICEVIEW = 0x4000;
        /// `LINEMEDIAMODE_VIDEO` (2.1)
        const VIDEO = 0x8000;
    }
}

bitflags! {
    /// `LINEBEARERMODE_*`: the network quality of a connection (T§2.5).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct BearerModes: u32 {
        /// `LINEBEARERMODE_VOICE`: 3.1 kHz analog; carries fax and modem.
        const VOICE = 0x01;
        /// `LINEBEARERMODE_SPEECH`: G.711 speech, not for fax or modem.
        const SPEECH = 0x02;
        /// `LINEBEARERMODE_MULTIUSE`: ISDN multi-use.
        const MULTIUSE = 0x04;
        /// `LINEBEARERMODE_DATA`: unrestricted digital data.
        const DATA = 0x08;
        /// `LINEBEARERMODE_ALTSPEECHDATA`: alternating speech and data.
        const ALTSPEECHDATA = 0x10;
        /// `LINEBEARERMODE_NONCALLSIGNALING`: non-call-associated signalling.
        const NONCALLSIGNALING = 0x20;
        /// `LINEBEARERMODE_PASSTHROUGH` (1.4): raw modem control handed to the application.
        const PASSTHROUGH = 0x40;
        /// `LINEBEARERMODE_RESTRICTEDDATA` (2.0)
        const RESTRICTEDDATA = 0x80;
    }
}
