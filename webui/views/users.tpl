% rebase('layout.tpl')
<p class="back"><a href="/settings">&larr; {{t('Settings')}}</a></p>
<h1>{{t('Users')}}</h1>
% if error:
<p class="error" role="alert">{{t(error)}}</p>
% end
% if shown_password:
<p class="flash warn" role="status">{{t('New password, shown once — write it down:')}} <code>{{shown_password}}</code></p>
% end
<table>
<thead><tr><th>{{t('User name')}}</th><th>{{t('Role')}}</th><th>{{t('Phone')}}</th><th></th></tr></thead>
<tbody>
% for u in rows:
<tr class="{{'' if u.active else 'off'}}">
  <td>{{u.username}}{{'' if u.active else ' (' + t('off') + ')'}}</td>
  <td>
    <form method="post" action="/settings/users/{{u.id}}" class="inline">
      <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="action" value="role">
      <select name="role" aria-label="{{t('Role')}}">
      % for r in roles:
        <option value="{{r}}" {{'selected' if r == u.role else ''}}>{{label(r)}}</option>
      % end
      </select>
      <button type="submit">{{t('Save')}}</button>
    </form>
  </td>
  <td>
    <form method="post" action="/settings/users/{{u.id}}" class="inline">
      <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="action" value="phone">
      <input name="phone" value="{{phone_number(u.phone) if u.phone else ''}}" maxlength="40" inputmode="tel" size="14" aria-label="{{t('Phone')}}">
      <button type="submit">{{t('Save')}}</button>
    </form>
  </td>
  <td>
    <form method="post" action="/settings/users/{{u.id}}" class="inline">
      <input type="hidden" name="csrf" value="{{csrf}}">
      <button type="submit" name="action" value="reset" data-confirm="{{t('Give {name} a new password? The old one stops working at once.').format(name=u.username)}}">{{t('reset password')}}</button>
      % if u.active:
      <button type="submit" name="action" value="deactivate" data-confirm="{{t('Switch {name} off? They are logged out at once.').format(name=u.username)}}">{{t('switch off')}}</button>
      % else:
      <button type="submit" name="action" value="activate">{{t('switch on')}}</button>
      % end
    </form>
  </td>
</tr>
% end
</tbody></table>
<details class="card"><summary>{{t('Add')}}</summary>
<form method="post" action="/settings/users">
  <input type="hidden" name="csrf" value="{{csrf}}">
  <label>{{t('User name')}} <input name="username" required maxlength="64" autocapitalize="none"></label>
  <label>{{t('Role')}} <select name="role">
  % for r in roles:
    <option value="{{r}}">{{label(r)}}</option>
  % end
  </select></label>
  <label>{{t('Phone')}} ({{t('technicians get and answer tickets by SMS')}}) <input name="phone" maxlength="40" inputmode="tel"></label>
  <label>{{t('Language')}} <select name="language"><option value="id" {{'selected' if shop_language == 'id' else ''}}>Bahasa Indonesia</option><option value="en" {{'selected' if shop_language == 'en' else ''}}>English</option></select></label>
  <button type="submit" class="primary">{{t('Add')}}</button>
</form></details>
