// Loaded on /redoc just before ReDoc, to let it run under the Content-Security-Policy
// (api/security.py) without contacting any other host.
// 1. ReDoc (styled-components, and the CSS of the libraries it bundles) styles itself by
//    writing <style> elements at run time, some before any ReDoc option could give them a
//    nonce. This page's policy admits only <style> elements that carry this response's
//    nonce, so every <style> created here gets the nonce this script tag was served with.
//    An injected <style> or style="" in the markup has none and is still refused.
// 2. ReDoc's sidebar shows a logo from cdn.redoc.ly. An <img> given another host's address
//    gets an empty data: URL instead; its load error makes ReDoc drop the logo.
(function () {
  "use strict";
  var nonce = document.currentScript && document.currentScript.nonce;
  var create = document.createElement;

  function foreign(url) {
    try {
      var u = new URL(url, document.baseURI);
      return u.protocol !== "data:" && u.origin !== window.location.origin;
    } catch (e) {
      return false;
    }
  }

  document.createElement = function (tag) {
    var el = create.apply(this, arguments);
    var name = String(tag).toLowerCase();
    if (name === "style" && nonce) {
      el.setAttribute("nonce", nonce);
    } else if (name === "img") {
      // React sets src both as an attribute and as a property: both are caught
      var setAttr = el.setAttribute;
      el.setAttribute = function (attr, value) {
        if (String(attr).toLowerCase() === "src" && foreign(value)) value = "data:,";
        return setAttr.call(this, attr, value);
      };
      Object.defineProperty(el, "src", {
        configurable: true,
        get: function () { return this.getAttribute("src") || ""; },
        set: function (value) { this.setAttribute("src", value); }
      });
    }
    return el;
  };
})();
