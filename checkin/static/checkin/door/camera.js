/* ptce door — the camera: the browser's BarcodeDetector where it reads QR codes (Android,
 * macOS…), otherwise jsQR (npm package "jsqr", served from our static files, loaded only
 * then: #door[data-qr-decoder-url]). What it reads goes to `onCode` (setupCamera). */

import { setText } from "./screen.js";
import { SETTINGS } from "./settings.js";
import { app } from "./state.js";
import { TEXT } from "./texts.js";

export const camera = {
  decode: null, // async (video) → the code read in the current frame, or null
  onCode: null, // (code) → what to do with a code read
  canvas: null,
  context: null,
  stream: null,
  running: false,
  starting: false,
  timer: 0,
  label: "",
};

async function nativeDecoder() {
  if (!("BarcodeDetector" in window)) return null;
  const formats = await window.BarcodeDetector.getSupportedFormats();
  if (!formats.includes("qr_code")) return null;
  const detector = new window.BarcodeDetector({ formats: ["qr_code"] });
  return async (video) => {
    const found = (await detector.detect(video)).find((code) => code && code.rawValue);
    return found ? found.rawValue : null;
  };
}

function loadScript(url) {
  return new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = url;
    script.async = true;
    script.onload = resolve;
    script.onerror = () => reject(new Error(`could not load ${url}`));
    document.head.append(script);
  });
}

/** jsQR on a scaled-down copy of the current frame. */
async function jsqrDecoder() {
  if (!app.qrDecoderUrl) return null;
  if (typeof window.jsQR !== "function") await loadScript(app.qrDecoderUrl);
  if (typeof window.jsQR !== "function") return null;
  return async (video) => {
    const { videoWidth: width, videoHeight: height } = video;
    if (!width || !height) return null;
    const scale = Math.min(1, SETTINGS.decodeMaxWidth / width);
    const w = Math.round(width * scale);
    const h = Math.round(height * scale);
    if (!camera.canvas) {
      camera.canvas = document.createElement("canvas");
      camera.context = camera.canvas.getContext("2d", { willReadFrequently: true });
    }
    if (camera.canvas.width !== w) camera.canvas.width = w;
    if (camera.canvas.height !== h) camera.canvas.height = h;
    camera.context.drawImage(video, 0, 0, w, h);
    const image = camera.context.getImageData(0, 0, w, h);
    const code = window.jsQR(image.data, w, h, { inversionAttempts: "dontInvert" });
    return code && code.data ? code.data : null;
  };
}

export async function setupCamera({ onCode }) {
  camera.onCode = onCode;
  const button = app.el.cameraButton;
  camera.label = button.textContent;
  button.setAttribute("aria-pressed", "false");
  if (navigator.mediaDevices && navigator.mediaDevices.getUserMedia) {
    for (const make of [nativeDecoder, jsqrDecoder]) {
      try {
        camera.decode = await make();
      } catch (error) {
        camera.decode = null;
      }
      if (camera.decode) break;
    }
  }
  if (!camera.decode) {
    button.hidden = true;
    cameraNote(TEXT.cameraUnavailable);
  }
}

function cameraNote(text) {
  let note = document.getElementById("camera-note");
  if (!note) {
    note = document.createElement("p");
    note.id = "camera-note";
    note.className = "door-note";
    app.el.cameraButton.insertAdjacentElement("afterend", note);
  }
  setText(note, text);
}

export async function startCamera() {
  if (!camera.decode || camera.running || camera.starting) return;
  const { cameraButton: button, video } = app.el;
  camera.starting = true;
  button.disabled = true;
  try {
    camera.stream = await navigator.mediaDevices.getUserMedia({
      video: { facingMode: "environment" },
      audio: false,
    });
    video.srcObject = camera.stream;
    video.hidden = false;
    camera.running = true;
    await video.play();
    button.textContent = TEXT.cameraStop;
    button.setAttribute("aria-pressed", "true");
    cameraNote("");
    camera.timer = setTimeout(detect, SETTINGS.detectEveryMs);
  } catch (error) {
    stopCamera();
    cameraNote(error && error.name === "NotAllowedError" ? TEXT.cameraDenied : TEXT.cameraFailed);
  } finally {
    camera.starting = false;
    button.disabled = false;
  }
}

export function stopCamera() {
  clearTimeout(camera.timer);
  camera.running = false;
  if (camera.stream) camera.stream.getTracks().forEach((track) => track.stop());
  camera.stream = null;
  const { cameraButton: button, video } = app.el;
  if (!video || !button) return;
  video.pause();
  video.srcObject = null;
  video.hidden = true;
  if (camera.label) button.textContent = camera.label;
  button.setAttribute("aria-pressed", "false");
}

async function detect() {
  if (!camera.running) return;
  if (app.el.video.readyState >= 2) {
    try {
      const value = await camera.decode(app.el.video);
      if (value && camera.running) {
        stopCamera();
        camera.onCode(value);
        return;
      }
    } catch (error) {
      /* an unreadable frame: try the next one */
    }
  }
  if (camera.running) camera.timer = setTimeout(detect, SETTINGS.detectEveryMs);
}
