/* ptce door — a sound and a vibration per verdict (the door is noisy, the phone is held
 * at arm's length). */

const SOUNDS = {
  check: { notes: [[660, 0, 0.09]], wave: "sine", gain: 0.25, vibrate: [40] },
  admitted: { notes: [[1320, 0, 0.16]], wave: "sine", gain: 0.35, vibrate: [120] },
  // already admitted: two long falling notes, loud; refused: two long low notes
  already: { notes: [[392, 0, 0.4], [262, 0.5, 0.55]], wave: "square", gain: 0.35, vibrate: [400, 150, 400, 150, 400] },
  refused: { notes: [[220, 0, 0.4], [220, 0.55, 0.4]], wave: "sawtooth", gain: 0.3, vibrate: [400, 150, 400] },
};
let audio = null;

/** Browsers only let a page make sound after a gesture: create the context then. */
export function unlockAudio() {
  const AudioContextClass = window.AudioContext || window.webkitAudioContext;
  if (!AudioContextClass) return;
  try {
    if (!audio) audio = new AudioContextClass();
    if (audio.state === "suspended") audio.resume().catch(() => {});
  } catch (error) {
    audio = null;
  }
}

export function play(kind) {
  const sound = SOUNDS[kind];
  if (!sound) return;
  const activated = !navigator.userActivation || navigator.userActivation.hasBeenActive;
  if (typeof navigator.vibrate === "function" && activated) {
    try {
      navigator.vibrate(sound.vibrate);
    } catch (error) {
      /* vibration is a bonus */
    }
  }
  if (!audio || audio.state !== "running") return;
  const start = audio.currentTime + 0.01;
  sound.notes.forEach(([frequency, delay, duration]) => {
    const oscillator = audio.createOscillator();
    const gain = audio.createGain();
    const t = start + delay;
    oscillator.type = sound.wave;
    oscillator.frequency.value = frequency;
    gain.gain.setValueAtTime(0.0001, t);
    gain.gain.exponentialRampToValueAtTime(sound.gain, t + 0.015);
    gain.gain.setValueAtTime(sound.gain, t + duration - 0.03);
    gain.gain.exponentialRampToValueAtTime(0.0001, t + duration);
    oscillator.connect(gain).connect(audio.destination);
    oscillator.start(t);
    oscillator.stop(t + duration + 0.02);
  });
}
