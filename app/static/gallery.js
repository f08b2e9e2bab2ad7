// Product gallery: a thumbnail brings its photo into the strip without moving the page.
// Without this script the thumbnails are plain links to the photos, which works too.
document.querySelectorAll("[data-gallery]").forEach((gallery) => {
  gallery.querySelectorAll(".gallery-thumbs a").forEach((link) => {
    link.addEventListener("click", (event) => {
      const photo = gallery.querySelector(link.getAttribute("href"));
      if (!photo) return;
      event.preventDefault();
      photo.scrollIntoView({ behavior: "smooth", block: "nearest", inline: "start" });
    });
  });
});
