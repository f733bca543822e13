/* Loket: a product's photo is made small in the browser before it is sent:
   at most 800 px on its long side, as a JPEG of quality 0.8, so a cheap
   phone's 4 MB camera photo goes over the shop's Wi-Fi as ~100 KB and the
   box (which has no image library) only checks it. Without this script the
   box still takes a small JPEG or PNG as it is and refuses a big one. */
"use strict";

const PHOTO_LONG_SIDE = 800;
const PHOTO_QUALITY = 0.8;

function smallerPhoto(file) {
  return new Promise((resolve, reject) => {
    // A data: URL, not a blob: one: the page's CSP lets images come from 'self' and data: only.
    const reader = new FileReader();
    const img = new Image();
    img.onload = () => {
      const scale = Math.min(1, PHOTO_LONG_SIDE / Math.max(img.naturalWidth, img.naturalHeight));
      const canvas = document.createElement("canvas");
      canvas.width = Math.max(1, Math.round(img.naturalWidth * scale));
      canvas.height = Math.max(1, Math.round(img.naturalHeight * scale));
      const ctx = canvas.getContext("2d");
      ctx.fillStyle = "#fff"; // a PNG's transparent parts: white in the JPEG, not black
      ctx.fillRect(0, 0, canvas.width, canvas.height);
      ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
      canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error("toBlob"))), "image/jpeg", PHOTO_QUALITY);
    };
    img.onerror = () => reject(new Error("not an image"));
    reader.onload = () => { img.src = reader.result; };
    reader.onerror = () => reject(new Error("unreadable"));
    reader.readAsDataURL(file);
  });
}

function setupPhotoResize() {
  document.querySelectorAll("input[type=file][data-photo-resize]").forEach((input) => {
    input.addEventListener("change", async () => {
      const file = input.files && input.files[0];
      if (!file || !file.type.startsWith("image/") || typeof DataTransfer === "undefined") return;
      try {
        const blob = await smallerPhoto(file);
        const name = file.name.replace(/\.[^.]*$/, "") + ".jpg";
        const files = new DataTransfer();
        files.items.add(new File([blob], name, { type: "image/jpeg" }));
        input.files = files.files;
      } catch (err) {
        // Not a picture this browser can draw: sent as it is, and the box says why it refuses it.
      }
    });
  });
}

document.addEventListener("DOMContentLoaded", setupPhotoResize);
