"use client";
// Light/dark switch; the choice is kept in localStorage and applied before paint by the root layout.
export function ThemeToggle() {
  function toggle() {
    const next = document.documentElement.dataset.theme === "dark" ? "light" : "dark";
    document.documentElement.dataset.theme = next;
    localStorage.setItem("minicloud-theme", next);
  }
  return (
    <button type="button" onClick={toggle} aria-label="Switch between light and dark theme">
      Light / dark
    </button>
  );
}
