% rebase('layout.tpl')
<section class="card narrow wide">
  <h1>{{t('Set up Loket')}}</h1>
  <p class="meta">{{t("The setup code is shown on the box's screen and in its log:")}} <code>journalctl -u loket-web</code></p>
  % if error:
  <p class="error" role="alert">{{t(error)}}</p>
  % end
  <form method="post" action="/setup">
    <input type="hidden" name="csrf" value="{{setup_csrf}}">
    <label>{{t('Setup code')}} <input name="code" value="{{values.get('code', '')}}" required maxlength="20" inputmode="numeric" autocomplete="off"></label>
    <fieldset><legend>{{t('Owner')}}</legend>
      <label>{{t('User name')}} <input name="username" value="{{values.get('username', '')}}" required maxlength="64" autocapitalize="none"></label>
      <label>{{t('Password (10+ characters)')}} <input name="password" type="password" required minlength="10" maxlength="256" autocomplete="new-password"></label>
      <label>{{t('Password again')}} <input name="password2" type="password" required minlength="10" maxlength="256" autocomplete="new-password"></label>
    </fieldset>
    <fieldset><legend>{{t('Shop')}}</legend>
      <label>{{t('Name (used in every SMS)')}} <input name="shop_name" value="{{values.get('shop_name', '')}}" required maxlength="40"></label>
      <label>{{t('Kind of shop')}} <select name="shop_type">
      % for k, label in types:
        <option value="{{k}}" {{'selected' if values.get('shop_type') == k else ''}}>{{t(label)}}</option>
      % end
      </select></label>
      <label>{{t('Time zone')}} <select name="timezone">
      % for z in zones:
        <option value="{{z}}" {{'selected' if values.get('timezone', 'Asia/Jakarta') == z else ''}}>{{z}}</option>
      % end
      </select></label>
      <label>{{t('Quiet hours: no reminders or promotions (HH:MM-HH:MM)')}} <input name="quiet_hours" value="{{values.get('quiet_hours', '21:00-08:00')}}" maxlength="11"></label>
    </fieldset>
    <button type="submit" class="primary">{{t('Create the owner and continue')}}</button>
  </form>
</section>
