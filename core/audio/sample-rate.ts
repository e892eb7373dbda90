// Hark's one sample rate. Everything is resampled to it before features are computed: the
// microphone, imported clips, the bundled other speech, the models' windows. Speech
// Commands and most keyword-spotting work use 16 kHz mono: speech carries little above
// 8 kHz, and MFCCs with 40 mel bands up to 8 kHz need no more.

/** Samples a second, everywhere in Hark. */
export const SAMPLE_RATE = 16000;
