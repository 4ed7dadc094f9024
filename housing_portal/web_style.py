# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""The portal's style sheet: one column on a phone, high contrast (text
#1a1a1a and links #0a4a8f on white: above 9:1), visible focus."""

STYLE = """
*{box-sizing:border-box}
html{font-size:100%}
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,
"DejaVu Sans",sans-serif;color:#1a1a1a;background:#fff;line-height:1.5}
a{color:#0a4a8f}
a:focus,button:focus,input:focus,select:focus{outline:3px solid #f5a100;
outline-offset:2px}
header{display:flex;flex-wrap:wrap;align-items:center;
justify-content:space-between;gap:.5rem;padding:.5rem 1rem;
background:#0a3d73;color:#fff}
header a,header button{color:#fff}
.brand{font-weight:bold;text-decoration:none;font-size:1.1rem}
nav.top{display:flex;flex-wrap:wrap;gap:.75rem;align-items:center}
nav.top button{background:none;border:1px solid #fff;padding:.25rem .6rem;
border-radius:4px;font:inherit;cursor:pointer}
nav.account{display:flex;flex-wrap:wrap;gap:.25rem .9rem;padding:.5rem 1rem;
background:#eef3f9;border-bottom:1px solid #c9d6e4}
nav.account .number{font-weight:bold;width:100%}
main{max-width:60rem;margin:0 auto;padding:1rem}
h1{font-size:1.5rem;margin:.5rem 0 1rem}
h2{font-size:1.15rem;margin:0 0 .5rem}
.card{border:1px solid #c9d6e4;border-radius:6px;padding:1rem;
margin:0 0 1rem}
dl{display:grid;grid-template-columns:auto 1fr;gap:.25rem 1rem;
margin:0 0 .5rem}
dt{color:#333}
dd{margin:0;font-weight:600}
form.inline{display:inline;margin:0}
.field{margin:0 0 .75rem}
.field label{display:block;font-weight:600;margin-bottom:.2rem}
.field small{display:block;color:#444}
input[type=text],input[type=password],input[type=email],input[type=tel],
input:not([type]),
select{width:100%;max-width:24rem;padding:.55rem;font-size:1rem;
border:1px solid #555;border-radius:4px}
.check{display:flex;gap:.5rem;align-items:flex-start}
fieldset.kinds{border:0;border-top:1px solid #d5dde6;margin:0;
padding:.4rem 0;display:flex;flex-wrap:wrap;gap:.25rem 1.5rem}
fieldset.kinds legend{float:left;width:100%;padding:0;font-weight:600}
fieldset.kinds .check{align-items:center;min-height:44px}
fieldset.kinds input{width:1.25rem;height:1.25rem}
button,.button{display:inline-block;background:#0a4a8f;color:#fff;
border:0;border-radius:4px;padding:.6rem 1.1rem;font-size:1rem;
text-decoration:none;cursor:pointer;min-height:44px}
.actions{display:flex;flex-wrap:wrap;gap:.5rem}
.message{background:#e6f4ea;border-left:4px solid #1e7e34;padding:.6rem}
.error{background:#fdecea;border-left:4px solid #b00020;padding:.6rem}
.note{background:#fff8e1;border-left:4px solid #8a6d00;padding:.6rem}
.scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem}
caption{text-align:left;font-weight:600;padding:.25rem 0}
th,td{border-bottom:1px solid #d5dde6;padding:.35rem .5rem;text-align:left;
vertical-align:top}
.num{text-align:right;white-space:nowrap}
.chart{width:100%;height:auto;max-height:12rem;display:block}
.chart rect{fill:#2a6fb5}
.chart .axis{stroke:#555}
.chart text{font-size:11px;fill:#333}
.qr img{display:block;max-width:100%;height:auto}
.total{font-size:1.1rem}
@media (max-width:40rem){
main{padding:.75rem}
h1{font-size:1.3rem}
th,td{padding:.3rem}
}
"""
