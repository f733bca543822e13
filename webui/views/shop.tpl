% rebase('layout.tpl')
<p class="back"><a href="/settings">&larr; {{t('Settings')}}</a></p>
<h1>Shop</h1>
% if error:
<p class="error" role="alert">{{error}}</p>
% end
% for group, title, fields in groups:
<section class="card" id="{{group}}"><h2>{{t(title)}}</h2>
<form method="post" action="/settings/shop">
  <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="section" value="{{group}}">
  % for f in fields:
  % if f['name'] == 'timezone':
  <label>{{t(f['label'])}} <select name="timezone" {{'disabled' if f['pinned'] else ''}}>
  % for z in zones:
    <option value="{{z}}" {{'selected' if f['value'] == z else ''}}>{{z}}</option>
  % end
  </select></label>
  % elif f['name'] == 'default_language':
  <label>{{t(f['label'])}} <select name="default_language" {{'disabled' if f['pinned'] else ''}}><option value="id" {{'selected' if f['value'] == 'id' else ''}}>Bahasa Indonesia</option><option value="en" {{'selected' if f['value'] == 'en' else ''}}>English</option></select></label>
  % else:
  <label>{{t(f['label'])}} <input name="{{f['name']}}" value="{{f['value']}}" {{'disabled' if f['pinned'] else ''}} maxlength="100" {{!'inputmode="numeric"' if f['kind'] == 'integer' else ('inputmode="decimal"' if f['kind'] == 'number' else '')}}></label>
  % end
  % if f['pinned']:
  <p class="meta">{{t("Set in the box's configuration; change it there.")}}</p>
  % end
  % end
  <button type="submit" class="primary">{{t('Save')}}</button>
</form></section>
% end

<section class="card"><h2>Opening hours</h2>
<form method="post" action="/settings/shop">
  <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="section" value="hours">
  % for n, day in enumerate(['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun']):
  <div class="row-form"><label>{{day}} opens <input type="time" name="opens{{n}}" value="{{hours[n].opens.strftime('%H:%M') if n in hours else ''}}"></label>
  <label>closes <input type="time" name="closes{{n}}" value="{{hours[n].closes.strftime('%H:%M') if n in hours else ''}}"></label></div>
  % end
  <p class="meta">Empty: closed that day. With no hours at all: Mon–Sat 09:00–17:00.</p>
  <button type="submit">{{t('Save')}}</button>
</form></section>

<section class="card"><h2>Services</h2>
% for v in services + [None]:
<form method="post" action="/settings/shop" class="row-form">
  <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="section" value="service"><input type="hidden" name="id" value="{{v.id if v else ''}}">
  <label>{{t('Name')}} <input name="name" value="{{v.name if v else ''}}" maxlength="100" {{'' if v else 'placeholder=new'}}></label>
  <label>minutes <input name="duration" value="{{v.duration_minutes if v else 60}}" inputmode="numeric" maxlength="4"></label>
  <label>price <input name="price" value="{{v.price if v else ''}}" maxlength="20"></label>
  <label>per slot <input name="capacity" value="{{v.capacity if v else 1}}" inputmode="numeric" maxlength="3"></label>
  <label>come back after (days) <input name="comeback" value="{{v.comeback_days if v and v.comeback_days else ''}}" inputmode="numeric" maxlength="4"></label>
  <label>words customers use <input name="aliases" value="{{v.aliases if v else ''}}" maxlength="500"></label>
  % if v:
  <label class="check"><input type="checkbox" name="active" {{'checked' if v.active else ''}}> active</label>
  % end
  <button type="submit">{{t('Save') if v else t('Add')}}</button>
</form>
% end
</section>

<section class="card"><h2>Goods</h2>
% for p in products + [None]:
<form method="post" action="/settings/shop" class="row-form">
  <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="section" value="product"><input type="hidden" name="id" value="{{p.id if p else ''}}">
  <label>{{t('Name')}} <input name="name" value="{{p.name if p else ''}}" maxlength="200"></label>
  <label>category <input name="category" value="{{p.category if p else ''}}" maxlength="100"></label>
  <label>price <input name="price" value="{{p.price if p else ''}}" maxlength="20"></label>
  % if p:
  <label>stock {{p.stock}}, change by <input name="stock_delta" value="0" inputmode="numeric" maxlength="7"></label>
  <label class="check"><input type="checkbox" name="active" {{'checked' if p.active else ''}}> active</label>
  % else:
  <label>stock <input name="stock" value="0" inputmode="numeric" maxlength="7"></label>
  % end
  <button type="submit">{{t('Save') if p else t('Add')}}</button>
</form>
% end
</section>

<section class="card"><h2>Ticket categories and SLA</h2>
% for c in categories + [None]:
<form method="post" action="/settings/shop" class="row-form">
  <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="section" value="category"><input type="hidden" name="id" value="{{c.id if c else ''}}">
  <label>{{t('Name')}} <input name="name" value="{{c.name if c else ''}}" maxlength="64"></label>
  <label>words <input name="words" value="{{c.words if c else ''}}" maxlength="1000"></label>
  <label>response (min) <input name="response" value="{{c.response_minutes if c else 60}}" inputmode="numeric" maxlength="6"></label>
  <label>resolution (min) <input name="resolution" value="{{c.resolution_minutes if c else 1440}}" inputmode="numeric" maxlength="6"></label>
  <label>warn at % <input name="warn" value="{{c.warn_percent if c else 80}}" inputmode="numeric" maxlength="3"></label>
  <button type="submit">{{t('Save') if c else t('Add')}}</button>
</form>
% end
</section>
